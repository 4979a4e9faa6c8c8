package it.spring;

/** A plain class made a bean behind an opaque Spring CGLIB proxy ({@link SpringApp#quotes()}). */
public class Quotes {
    private final String currency;   // not a constant: read from the object

    public Quotes(String currency) {
        this.currency = currency;
    }

    public String symbol() {
        return currency;
    }
}
