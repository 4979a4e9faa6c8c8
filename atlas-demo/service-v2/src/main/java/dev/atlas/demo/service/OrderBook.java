package dev.atlas.demo.service;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The orders placed so far: a count, the revenue and (new in v2) the units sold per SKU.
 * Thread-safe.
 *
 * <p>Build v2 adds state: the field {@code unitsBySku}, the method {@code unitsBySku()} and a
 * lambda. The field has no initialiser, so an object created by v1 code gets its map on
 * first use, which is what a live patch needs (Atlas's patch builder accepts new fields
 * whose initialisers use only {@code this} and constants; HotSpot's {@code redefineClasses}
 * refuses the change altogether).
 */
public final class OrderBook {
    private final AtomicLong lastId = new AtomicLong();
    private final LongAdder revenueCents = new LongAdder();
    private volatile ConcurrentHashMap<String, LongAdder> unitsBySku;

    /** Records an order and returns its id (1, 2, ...). */
    public long place(String sku, int qty, long totalCents) {
        revenueCents.add(totalCents);
        unitsBySku().computeIfAbsent(sku, s -> new LongAdder()).add(qty);
        return lastId.incrementAndGet();
    }

    /** A JSON object with the order count, revenue and best-selling SKU. */
    public String summaryJson() {
        String top = unitsBySku().entrySet().stream()
                .max(Map.Entry.comparingByValue((a, b) -> Long.compare(a.sum(), b.sum())))
                .map(Map.Entry::getKey)
                .orElse("");
        return "{\"orders\":" + lastId.get() + ",\"revenueCents\":" + revenueCents.sum() + ",\"topSku\":\"" + top + "\"}";
    }

    /** The per-SKU counters, created on first use (double-checked on the volatile field). */
    private ConcurrentHashMap<String, LongAdder> unitsBySku() {
        ConcurrentHashMap<String, LongAdder> map = unitsBySku;
        if (map == null) {
            synchronized (this) {
                map = unitsBySku;
                if (map == null) {
                    map = new ConcurrentHashMap<>();
                    unitsBySku = map;
                }
            }
        }
        return map;
    }
}
