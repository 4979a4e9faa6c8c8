package dev.atlas.core;

import dev.atlas.testsupport.Await;
import dev.atlas.core.quiescence.QuiescentThreadPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Stress test of the view runtime through its public API only: hundreds of threads work in
 * scopes while a driver keeps deriving views, migrating every thread into them (making
 * them the default), superseding and cancelling migrations and retiring old views, and
 * threads come and go (some unbind, some just die and are reclaimed).
 *
 * <p>No timing assertion: every wait is for a condition, with a generous timeout.
 */
class ViewRuntimeStressTest {
    static final ViewKey<Long> GENERATION = ViewKey.of("generation", Long.class);
    static final Duration DRIVE = Duration.ofSeconds(5);
    static final Duration GENEROUS = Duration.ofSeconds(60);
    static final int VIRTUAL_WORKERS = 200;
    static final int PLATFORM_WORKERS = 16;
    static final int STRAGGLERS = 2;   // platform workers whose units sometimes take tens of ms
    static final int MAX_CHURNING = 24;
    static final int MIN_ROUNDS = 20;      // driver rounds, however slow the machine
    static final int MIN_CHURN = 30;       // short-lived threads, however slow the machine

    final ViewSpace space = ViewSpace.create("stress");

    // what the workers saw and did
    final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    final ConcurrentHashMap<Long, LongAdder> unitsByView = new ConcurrentHashMap<>();
    final AtomicLong unitsCountedByWorkers = new AtomicLong();
    final AtomicLong poolTasksSubmitted = new AtomicLong();
    final AtomicInteger churnStarted = new AtomicInteger();
    final AtomicInteger churnUnbound = new AtomicInteger();
    final AtomicInteger churnDied = new AtomicInteger();

    // what the driver did
    final Map<Long, View> allViews = new ConcurrentHashMap<>();
    final Map<Long, AtomicInteger> cleanups = new ConcurrentHashMap<>();
    final List<Migration> migrations = new ArrayList<>();
    final AtomicBoolean stopWorkers = new AtomicBoolean();
    final AtomicBoolean stopChurn = new AtomicBoolean();
    int cancels, supersedes;
    long generation;
    QuiescentThreadPool pool, vpool;

    /** On failure too: no worker may outlive the test. */
    @AfterEach
    void stopEverything() {
        stopChurn.set(true);
        stopWorkers.set(true);
        if (pool != null) pool.shutdownNow();
        if (vpool != null) vpool.shutdownNow();
        space.close();
    }

    @Test
    void threadsKeepWorkingInOneViewPerScopeWhileViewsAreMigratedAndRetired() throws Exception {
        allViews.put(space.baseView().id(), space.baseView());
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < VIRTUAL_WORKERS; i++) {
            boolean explicitBind = i % 2 == 0;
            workers.add(Thread.ofVirtual().name("vw-" + i).start(() -> work(explicitBind, Long.MAX_VALUE, stopWorkers)));
        }
        for (int i = 0; i < PLATFORM_WORKERS; i++) {
            boolean straggler = i < STRAGGLERS;
            workers.add(Thread.ofPlatform().name((straggler ? "straggler-" : "pw-") + i)
                    .start(() -> work(true, Long.MAX_VALUE, stopWorkers, straggler)));
        }
        pool = QuiescentThreadPool.create(space, 4, "qpool");
        vpool = QuiescentThreadPool.create(space, 4, Thread.ofVirtual().name("vqpool-", 0).factory());
        List<Thread> churn = new CopyOnWriteArrayList<>();
        Thread spawner = Thread.ofPlatform().name("spawner").start(() -> spawnChurn(churn));
        Thread feeder = Thread.ofPlatform().name("feeder").start(() -> feed(pool, vpool));

        // ---- drive: new views, migrations (makeDefault), supersede, cancel, retire
        long end = System.nanoTime() + DRIVE.toNanos();
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        for (int round = 0; round < MIN_ROUNDS || System.nanoTime() - end < 0; round++) {
            View next = newView();
            Migration m = start(next);
            int roll = rnd.nextInt(10);
            if (roll < 2) {
                LockSupport.parkNanos(rnd.nextLong(2_000_000));
                if (m.cancel()) cancels++;
            } else if (roll < 4) {
                start(newView());   // supersedes m for every thread that has not moved yet
                supersedes++;
            }
            retireAllButDefault();
            LockSupport.parkNanos(rnd.nextLong(2_000_000, 15_000_000));
        }

        // ---- quiesce the churn, let every migration end, gather every thread in a final view
        stopChurn.set(true);
        spawner.join();
        for (Thread t : churn) t.join();
        for (Migration m : migrations) {
            awaitEnd(m);
        }
        View last = newView();
        Migration gather = start(last);
        assertEquals(Migration.Phase.DONE, gather.await(GENEROUS).outcome());
        retireAllButDefault();
        assertSame(last, space.defaultView());
        for (Migration m : migrations) {
            assertTrue(m.isDone(), m::toString);
            assertTrue(m.phase() == Migration.Phase.DONE || m.phase() == Migration.Phase.CANCELLED, m::toString);
            assertEquals(0, m.remaining(), m::toString);
        }

        // ---- every other view retires, exactly once, once nothing pins it
        for (View v : allViews.values()) {
            if (v == last) continue;
            waitUntil(() -> v.state() == ViewState.RETIRED, () -> v + " pins=" + v.pins() + " bound=" + v.boundThreads());
            AtomicInteger runs = cleanups.get(v.id());
            if (runs != null) waitUntil(() -> runs.get() > 0, () -> v + " cleanup never ran");
        }
        assertEquals(List.of(last), space.views(), "only the final default is not retired");

        // ---- bookkeeping of live threads and pins
        space.reclaimDeadThreads();
        int live = workers.size() + pool.workers().size() + vpool.workers().size();
        assertEquals(workers.size() + 8, live, "pool workers");
        assertEquals(live, space.boundThreads(), "bound threads after reclaiming the dead ones");
        assertEquals(live, last.boundThreads(), "every live thread is in the final view");
        assertEquals(live + 1, last.pins(), "pins of the final view: its threads and the default role");

        // ---- stop everything; no unit saw two views, no work was lost
        stopWorkers.set(true);
        feeder.join();
        for (Thread t : workers) t.join();
        pool.shutdown();
        vpool.shutdown();
        assertTrue(pool.awaitTermination(GENEROUS.toSeconds(), TimeUnit.SECONDS));
        assertTrue(vpool.awaitTermination(GENEROUS.toSeconds(), TimeUnit.SECONDS));
        space.reclaimDeadThreads();   // the long-lived workers died bound
        space.close();  // runs whatever the housekeeper still has queued, then stops it

        assertTrue(failures.isEmpty(), () -> "worker failures: " + failures);
        assertTrue(violations.isEmpty(), () -> violations.size() + " violation(s), first: " + violations.peek());
        long recorded = unitsByView.values().stream().mapToLong(LongAdder::sum).sum();
        assertEquals(unitsCountedByWorkers.get() + poolTasksSubmitted.get(), recorded, "units lost or duplicated");
        for (Map.Entry<Long, AtomicInteger> e : cleanups.entrySet()) {
            int expected = e.getKey() == last.id() ? 0 : 1;
            assertEquals(expected, e.getValue().get(), "cleanup runs of view " + e.getKey());
        }
        assertEquals(0, space.boundThreads());
        assertEquals(1, last.pins(), "only the default role is left once every thread is gone");
        assertTrue(churnDied.get() > 0 && churnUnbound.get() > 0,
                () -> "churn: " + churnStarted + " started, " + churnDied + " died, " + churnUnbound + " unbound");
        Map<ThreadMigrationState, Long> outcomes = new java.util.TreeMap<>();
        for (Migration m : migrations) {
            for (ThreadProgress p : m.progress()) outcomes.merge(p.state(), 1L, Long::sum);
        }
        System.out.printf("stress: %d views, %d migrations (%d cancelled, %d superseding),"
                        + " thread outcomes %s, %d units, %d churn threads (%d died bound)%n",
                allViews.size(), migrations.size() + 1, cancels, supersedes, outcomes, recorded,
                churnStarted.get(), churnDied.get());
    }

    // ------------------------------------------------------------------ workers

    /** Units of work in scopes, with a quiescence point and a short park between them. */
    private long work(boolean explicitBind, long maxUnits, AtomicBoolean stop) {
        return work(explicitBind, maxUnits, stop, false);
    }

    private long work(boolean explicitBind, long maxUnits, AtomicBoolean stop, boolean straggler) {
        long units = 0;
        try {
            if (explicitBind) space.bindCurrentThread();
            while (!stop.get() && units < maxUnits) {
                unit(straggler && units % 20 == 0);
                units++;
                space.quiescent();
                // park, not yield: yielding virtual threads starve the others on 2 carriers
                LockSupport.parkNanos(50_000);
            }
        } catch (Throwable t) {
            failures.add(t);
        } finally {
            unitsCountedByWorkers.addAndGet(units);
        }
        return units;
    }

    /** One unit: reads its view at the start and at the end of one scope; records it. */
    private void unit(boolean longRequest) {
        try (ViewScope s = space.enter()) {
            View v = s.view();
            Long gen = v.get(GENERATION);
            if (v.state() == ViewState.RETIRED) {
                violations.add(Thread.currentThread().getName() + " ran in retired view " + v);
            }
            AtomicInteger cleaned = cleanups.get(v.id());
            if (cleaned != null && cleaned.get() != 0) {
                violations.add(Thread.currentThread().getName() + " ran in view " + v + " after its cleanup");
            }
            if (longRequest) {
                LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(10_000_000, 50_000_000)); // a long request
            } else {
                for (int i = 0; i < 50; i++) Thread.onSpinWait();
            }
            View now = space.current();
            if (now != v || !Objects.equals(gen, now.get(GENERATION))) {
                violations.add(Thread.currentThread().getName() + " saw " + v + " then " + now + " in one scope");
            }
            unitsByView.computeIfAbsent(v.id(), k -> new LongAdder()).increment();
        }
    }

    /** Short-lived threads: bind on first use, work a little, then unbind or just die. */
    private void spawnChurn(List<Thread> churn) {
        AtomicInteger running = new AtomicInteger();
        int n = 0;
        while (!stopChurn.get() || n < MIN_CHURN) {
            if (running.get() < MAX_CHURNING) {
                boolean unbind = n % 3 == 0;
                running.incrementAndGet();
                churnStarted.incrementAndGet();
                churn.add(Thread.ofVirtual().name("churn-" + n++).start(() -> {
                    try {
                        long units = work(false, ThreadLocalRandom.current().nextLong(5, 60), new AtomicBoolean());
                        if (unbind && units > 0) {
                            space.unbindCurrentThread();
                            churnUnbound.incrementAndGet();
                        } else {
                            churnDied.incrementAndGet();   // dies bound: the housekeeper reclaims it
                        }
                    } catch (Throwable t) {
                        failures.add(t);
                    } finally {
                        running.decrementAndGet();
                    }
                }));
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    /** Tasks at a steady trickle, so that pool workers keep going idle and waking up. */
    private void feed(QuiescentThreadPool... pools) {
        int i = 0;
        while (!stopWorkers.get()) {
            QuiescentThreadPool p = pools[i++ % pools.length];
            poolTasksSubmitted.incrementAndGet();
            p.execute(() -> {        // runs in the pool's own scope: unit() nests one more
                try {
                    unit(false);
                } catch (Throwable t) {
                    failures.add(t);
                }
            });
            LockSupport.parkNanos(500_000);
        }
    }

    // ------------------------------------------------------------------ driver

    private View newView() {
        long gen = ++generation;
        AtomicInteger runs = new AtomicInteger();
        View v = space.derive(space.defaultView(), "g" + gen).diverge(GENERATION, gen).onRetire(runs::incrementAndGet).publish();
        cleanups.put(v.id(), runs);
        allViews.put(v.id(), v);
        return v;
    }

    private Migration start(View target) {
        Migration m = space.migrate(target).allThreads().makeDefault().start();
        migrations.add(m);
        return m;
    }

    /** Requests retirement of every view that is not the default and not already retiring. */
    private void retireAllButDefault() {
        View d = space.defaultView();
        for (View v : allViews.values()) {
            if (v != d && v.state() == ViewState.ACTIVE) {
                v.retire();
            }
        }
    }

    private static void awaitEnd(Migration m) throws Exception {
        try {
            m.await(GENEROUS);
        } catch (CancellationException expected) {
            // cancelled: its completion says so once the cancellation has completed
        }
    }

    private static void waitUntil(BooleanSupplier condition, java.util.function.Supplier<String> what) {
        Await.until(what, GENEROUS, condition);
    }
}
