package dev.atlas.memory;

import dev.atlas.testsupport.Await;
import dev.atlas.core.Migration;
import dev.atlas.core.View;
import dev.atlas.core.ViewRetiredException;
import dev.atlas.core.ViewScope;
import dev.atlas.core.ViewSpace;
import dev.atlas.core.ViewState;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Writers in several views while views are derived (with overlays and protections),
 * threads are migrated and switch themselves, speculations commit and views retire: no
 * crash, no exception inside a scope, and no lost write in the shared region.
 */
class MemoryStressTest {
    private static final int WRITERS = 6;
    private static final Duration RUN = Duration.ofSeconds(4);
    /** Generations every run goes through however slow the machine: the run ends at RUN and after this many. */
    private static final int MIN_GENERATIONS = 3;

    @Test
    void writersNeverLoseASharedStoreWhileViewsComeAndGo() throws Exception {
        long fds = Proc.openFds();
        try (ViewSpace space = ViewSpace.create("stress");
             MemorySpace memory = MemorySpace.create(space, "stress", 64L << 20)) {
            long page = memory.pageSize();
            Region counters = memory.allocate("counters", WRITERS * page);   // one page per writer
            Region scratch = memory.allocate("scratch", 64 * page);
            Region config = memory.allocate("config", page);
            Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
            AtomicBoolean stop = new AtomicBoolean();
            long[] counts = new long[WRITERS];
            java.util.concurrent.atomic.AtomicLong iterations = new java.util.concurrent.atomic.AtomicLong();
            List<View> live = new java.util.concurrent.CopyOnWriteArrayList<>(List.of(space.baseView()));

            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                final int id = w;
                writers.add(Thread.ofPlatform().name("writer-" + w).start(() -> {
                    ThreadLocalRandom rnd = ThreadLocalRandom.current();
                    try {
                        while (!stop.get()) {
                            try (ViewScope scope = space.enter()) {
                                MemorySegment c = memory.segment(scope.view(), counters);
                                c.set(JAVA_LONG, id * page, c.get(JAVA_LONG, id * page) + 1);
                                counts[id]++;
                                iterations.incrementAndGet();
                                MemorySegment s = memory.segment(scope.view(), scratch);
                                s.set(JAVA_LONG, rnd.nextLong(64) * page + 8L * id, counts[id]);
                                MemorySegment cfg = memory.segment(scope.view(), config);
                                cfg.get(JAVA_LONG, 0);
                            }
                            space.quiescent();
                            List<View> candidates = List.copyOf(live);   // the list changes under us
                            if (rnd.nextInt(50) == 0 && !candidates.isEmpty()) {
                                View target = candidates.get(rnd.nextInt(candidates.size()));
                                try {
                                    space.switchCurrentThread(target);
                                } catch (ViewRetiredException retiring) {
                                    // it retired meanwhile: stay
                                }
                            }
                        }
                    } catch (Throwable t) {
                        failures.add(t);
                    }
                }));
            }

            long deadline = System.nanoTime() + RUN.toNanos();
            int derived = 0;
            int committed = 0;
            while ((System.nanoTime() < deadline || derived < MIN_GENERATIONS) && failures.isEmpty()) {
                View parent = space.defaultView();
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                long first = rnd.nextLong(32) * page;
                View next = memory.configure(space.derive(parent, "gen-" + derived++), m -> m
                        .overlay(scratch, first, 16 * page)
                        .protect(config, rnd.nextBoolean() ? Protection.READ_ONLY : Protection.READ_WRITE)).publish();
                live.add(next);
                Migration mig = space.migrate(next).allThreads().makeDefault().start();
                // a speculation on the side, committed into the new view
                Speculation s = memory.speculate(next, scratch);
                memory.segment(s.view(), scratch).set(JAVA_LONG, 63 * page, derived);
                s.commit();
                committed++;
                mig.await(Duration.ofSeconds(10));
                live.remove(parent);
                if (parent != space.baseView()) {
                    parent.retire();   // threads that switched back into it keep it alive until they leave
                }
                long seen = iterations.get();   // the writers work in this generation before the next one
                Await.until("the writers ran on", () -> iterations.get() >= seen + 10L * WRITERS || !failures.isEmpty());
            }
            stop.set(true);
            for (Thread t : writers) {
                t.join(10_000);
            }
            if (!failures.isEmpty()) {
                AssertionError e = new AssertionError("writers failed: " + failures.size());
                failures.forEach(e::addSuppressed);
                throw e;
            }
            MemorySegment c = memory.segment(space.baseView(), counters);
            for (int w = 0; w < WRITERS; w++) {
                assertEquals(counts[w], c.get(JAVA_LONG, w * page), "writer " + w + "'s stores are all in the shared region");
            }
            assertTrue(derived >= MIN_GENERATIONS, "derived " + derived + " views");
            assertTrue(committed >= MIN_GENERATIONS);
            for (View v : space.views()) {
                assertTrue(v.state() != ViewState.RETIRED);
            }
        }
        assertEquals(fds, Proc.openFds(), "no file descriptor leaked");
    }
}
