package it.spring;

/** Implemented by a {@code @Transactional} bean, so that Spring proxies it with a JDK dynamic proxy. */
public interface Ledger {
    /** The item's version tag, read through Hibernate's lazy proxy. */
    String tag(long id);

    /** What the ledger says about the item. */
    String detail(long id);
}
