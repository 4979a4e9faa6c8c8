package dev.atlas.memory.snapshot;

import dev.atlas.core.ViewScope;
import dev.atlas.core.ViewSpace;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;

/** Writer threads applying SlotStore operations, one per scope, a quiescence point between. */
final class Writers implements AutoCloseable {
    final ViewSpace space;
    final SlotStore store;
    final List<Thread> threads = new ArrayList<>();
    final AtomicLongArray done;
    final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final CountDownLatch started;
    private volatile boolean stop;

    private final boolean requestScopes;

    Writers(ViewSpace space, SlotStore store, boolean allocate) {
        this(space, store, allocate, false);
    }

    /** With {@code requestScopes}, each operation is a request scope (detached between operations). */
    Writers(ViewSpace space, SlotStore store, boolean allocate, boolean requestScopes) {
        this.requestScopes = requestScopes;
        this.space = space;
        this.store = store;
        this.done = new AtomicLongArray(store.writers);
        this.started = new CountDownLatch(store.writers);
        for (int w = 0; w < store.writers; w++) {
            int id = w;
            threads.add(Thread.ofPlatform().name("writer-" + w).daemon().start(() -> run(id, allocate)));
        }
        try {
            started.await();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private void run(int w, boolean allocate) {
        try {
            long seq = 0;
            Object[] garbage = new Object[64];
            while (!stop) {
                try (ViewScope op = requestScopes ? SnapshotCut.enterRequest(space) : SnapshotCut.enter(space)) {
                    store.apply(w, ++seq);
                    if (allocate) {
                        garbage[(int) (seq & 63)] = new long[16];
                    }
                }
                done.set(w, seq);
                if (seq == 1) {
                    started.countDown();
                }
                space.quiescent();
            }
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
            started.countDown();
        }
    }

    long total() {
        long s = 0;
        for (int i = 0; i < done.length(); i++) {
            s += done.get(i);
        }
        return s;
    }

    @Override
    public void close() {
        stop = true;
        boolean interrupted = Thread.interrupted();
        for (Thread t : threads) {
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (t.isAlive() && System.nanoTime() < deadline) {
                try {
                    t.join(1000);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (t.isAlive()) {
                store.leak = true;   // never unmap memory a live writer may still write to
                throw new AssertionError("writer " + t.getName() + " did not stop: " + java.util.Arrays.toString(t.getStackTrace()));
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure.get() != null) {
            throw new AssertionError("a writer failed", failure.get());
        }
    }
}
