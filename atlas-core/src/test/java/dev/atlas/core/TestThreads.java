package dev.atlas.core;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicReference;

/** Small helpers for tests that need bound worker threads in a known state. */
final class TestThreads {
    private TestThreads() {}

    /**
     * A thread bound to {@code space} that loops scope / quiescent point until stopped,
     * recording the view of its last scope.
     */
    static final class LoopingWorker implements AutoCloseable {
        final Thread thread;
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicReference<View> lastView = new AtomicReference<>();
        final CountDownLatch bound = new CountDownLatch(1);

        LoopingWorker(ViewSpace space, String name, boolean virtual) {
            Runnable body = () -> {
                space.bindCurrentThread();
                bound.countDown();
                while (!stop.get()) {
                    try (ViewScope s = space.enter()) {
                        lastView.set(s.view());
                        Thread.onSpinWait();
                    }
                    space.quiescent();
                    // park, not yield: a yielding virtual thread is rescheduled at once on its
                    // carrier and can starve every other virtual thread on a 2-core machine
                    LockSupport.parkNanos(20_000);
                }
            };
            thread = (virtual ? Thread.ofVirtual() : Thread.ofPlatform()).name(name).start(body);
            await(bound);
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join();
        }
    }

    /**
     * A thread bound to {@code space} that sits in one open scope until released, then
     * (optionally) passes a quiescence point and records the view it is in afterwards.
     * The constructor returns once the thread is inside its scope.
     */
    static final class InLongScope implements AutoCloseable {
        final Thread thread;
        final AtomicReference<View> viewAfter = new AtomicReference<>();
        private final CountDownLatch inScope = new CountDownLatch(1);
        private final CountDownLatch release = new CountDownLatch(1);

        InLongScope(ViewSpace space, String name, boolean quiesceAfter) {
            thread = Thread.ofPlatform().name(name).start(() -> {
                try (ViewScope s = space.enter()) {
                    inScope.countDown();
                    await(release);
                }
                if (quiesceAfter) {
                    space.quiescent();
                    viewAfter.set(space.current());
                }
            });
            await(inScope);
        }

        /** Lets the thread leave its scope (and finish). */
        void release() {
            release.countDown();
        }

        /** Releases the thread and waits for it to end. */
        @Override
        public void close() throws InterruptedException {
            release();
            thread.join();
        }
    }

    static void await(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new AssertionError("latch not released within 30 s");
            }
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
