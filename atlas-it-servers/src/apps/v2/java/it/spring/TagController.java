package it.spring;

import java.lang.reflect.Proxy;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
public class TagController {
    private final PriceService prices;
    private final Quotes quotes;
    private final Ledger ledger;

    public TagController(PriceService prices, Quotes quotes, Ledger ledger) {
        this.prices = prices;
        this.quotes = quotes;
        this.ledger = ledger;
    }

    @GetMapping("/tag")
    public String tag() throws InterruptedException {
        String first = Version.tag();
        String middle = prices.describe();
        prices.price("apple");   // cached after the first request
        Thread.sleep(10);   // the request's work
        return first + "-" + middle + "-" + Version.tag() + " served=" + prices.served() + " opaque=" + quotes.symbol()
                + quotes.served();
    }

    @GetMapping("/jpa")
    public String jpa() throws InterruptedException {
        String first = Version.tag();
        String middle = ledger.tag(1L);
        Thread.sleep(10);   // the request's work
        return first + "-" + middle + "-" + Version.tag() + " " + ledger.detail(1L) + " jdk-proxy="
                + Proxy.isProxyClass(ledger.getClass());
    }
}
