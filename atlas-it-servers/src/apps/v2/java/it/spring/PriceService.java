package it.spring;

import java.util.concurrent.atomic.AtomicLong;

import org.springframework.cache.annotation.Cacheable;
import org.springframework.stereotype.Service;

/** A bean behind Spring's CGLIB proxy (because of {@code @Cacheable}); v2 adds state and a method. */
@Service
public class PriceService {
    private final String currency;   // not a constant: read from the object
    private final AtomicLong served = new AtomicLong();

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

    /** New in v2: reads an existing field and a new one; must run on the target, not on the proxy. */
    public String served() {
        return currency + ":" + served.incrementAndGet();
    }
}
