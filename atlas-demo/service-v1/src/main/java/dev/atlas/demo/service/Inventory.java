package dev.atlas.demo.service;

import java.util.concurrent.TimeUnit;

/**
 * The inventory service this service calls for every quote and order, simulated by a wait
 * of fixed length (a remote call: the worker waits, the CPU does not work). Real services
 * spend much of a request in such calls, which is when a live patch finds requests
 * half-way through. Stateless, thread-safe.
 */
public final class Inventory {
    private final long waitMicros;

    /** @param waitMicros length of one call; 0 for none */
    public Inventory(long waitMicros) {
        if (waitMicros < 0 || waitMicros > TimeUnit.SECONDS.toMicros(10)) {
            throw new IllegalArgumentException("inventory wait is " + waitMicros + " us, expected 0 to 10 s");
        }
        this.waitMicros = waitMicros;
    }

    /** Asks the inventory service whether {@code qty} units of {@code sku} are available (they always are). */
    public boolean available(String sku, int qty) {
        if (waitMicros > 0) {
            try {
                TimeUnit.MICROSECONDS.sleep(waitMicros);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BadRequestException(503, "interrupted while asking the inventory for " + sku);
            }
        }
        return qty > 0;
    }
}
