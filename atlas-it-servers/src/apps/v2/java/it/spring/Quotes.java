package it.spring;

import java.util.concurrent.atomic.AtomicLong;

/** A plain class made a bean behind an opaque Spring CGLIB proxy ({@link SpringApp#quotes()}). */
public class Quotes {
    private final String currency;   // not a constant: read from the object
    private final AtomicLong served = new AtomicLong();

    public Quotes(String currency) {
        this.currency = currency;
    }

    public String symbol() {
        return currency.toLowerCase(java.util.Locale.ROOT);
    }

    /** New in v2: reads an existing field and a new one; must run on the target, not on the proxy. */
    public String served() {
        return currency + ":" + served.incrementAndGet();
    }
}
