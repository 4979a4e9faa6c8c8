package dev.atlas.demo.runtime;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** Unexpected exceptions thrown on the demo's worker threads; any of them fails the demo. */
final class WorkerErrors {
    private final AtomicLong count = new AtomicLong();
    private final AtomicReference<String> first = new AtomicReference<>();

    void report(Throwable t) {
        count.incrementAndGet();
        first.compareAndSet(null, "on thread '" + Thread.currentThread().getName() + "': " + t);
    }

    long count() {
        return count.get();
    }

    Optional<String> first() {
        return Optional.ofNullable(first.get());
    }
}
