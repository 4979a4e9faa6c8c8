package it.spring;

import org.springframework.cache.annotation.Cacheable;
import org.springframework.stereotype.Service;

/** A bean behind Spring's CGLIB proxy (because of {@code @Cacheable}). */
@Service
public class PriceService {
    private final String currency;   // not a constant: read from the object

    public PriceService() {
        currency = "EUR";
    }

    @Cacheable("prices")
    public int price(String item) {
        return item.length();
    }

    public String describe() {
        return currency.isEmpty() ? "?" : Version.tag();
    }
}
