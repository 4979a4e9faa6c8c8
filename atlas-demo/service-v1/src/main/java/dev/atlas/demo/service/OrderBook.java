package dev.atlas.demo.service;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** The orders placed so far: a count and the revenue. Thread-safe (lock-free counters). */
public final class OrderBook {
    private final AtomicLong lastId = new AtomicLong();
    private final LongAdder revenueCents = new LongAdder();

    /** Records an order and returns its id (1, 2, ...). */
    public long place(String sku, int qty, long totalCents) {
        revenueCents.add(totalCents);
        return lastId.incrementAndGet();
    }

    /** A JSON object with the order count and revenue. */
    public String summaryJson() {
        return "{\"orders\":" + lastId.get() + ",\"revenueCents\":" + revenueCents.sum() + "}";
    }
}
