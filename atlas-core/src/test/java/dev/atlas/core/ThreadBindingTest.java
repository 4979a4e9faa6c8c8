package dev.atlas.core;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import static dev.atlas.core.ViewLifecycleTest.waitUntil;
import static org.junit.jupiter.api.Assertions.*;

class ThreadBindingTest {
    final ViewSpace space = ViewSpace.create("binding");

    @AfterEach
    void close() {
        space.close();
    }

    @Test
    void threadsBindToTheDefaultViewOnFirstUse() throws Exception {
        View v2 = space.derive(space.baseView()).publish();
        space.setDefaultView(v2);
        AtomicReference<View> seen = new AtomicReference<>();
        Thread t = Thread.ofVirtual().start(() -> {
            try (ViewScope s = space.enter()) {
                seen.set(s.view());
            }
        });
        t.join();
        assertSame(v2, seen.get());
    }

    @Test
    void bindingTwiceIsRefused() throws Exception {
        runOnNewThread(() -> {
            space.bindCurrentThread();
            IllegalStateException e = assertThrows(IllegalStateException.class, space::bindCurrentThread);
            assertTrue(e.getMessage().contains("already bound"), e.getMessage());
            space.unbindCurrentThread();
        });
    }

    @Test
    void closingAScopeTwiceIsRefused() throws Exception {
        runOnNewThread(() -> {
            ViewScope s = space.enter();
            s.close();
            IllegalStateException e = assertThrows(IllegalStateException.class, s::close);
            assertTrue(e.getMessage().contains("already closed"), e.getMessage());
            try (ViewScope again = space.enter()) {   // depth was not corrupted
                assertSame(space.baseView(), again.view());
            }
        });
    }

    @Test
    void closingAScopeOnAnotherThreadIsRefused() throws Exception {
        AtomicReference<ViewScope> scope = new AtomicReference<>();
        runOnNewThread(() -> scope.set(space.enter()));
        WrongThreadException e = assertThrows(WrongThreadException.class, () -> scope.get().close());
        assertTrue(e.getMessage().contains("cannot be closed by"), e.getMessage());
    }

    @Test
    void scopesCloseInReverseOrder() throws Exception {
        runOnNewThread(() -> {
            ViewScope outer = space.enter();
            ViewScope inner = space.enter();
            IllegalStateException e = assertThrows(IllegalStateException.class, outer::close);
            assertTrue(e.getMessage().contains("inner scope"), e.getMessage());
            inner.close();
            outer.close();
        });
    }

    @Test
    void aThreadNeverChangesViewInsideAScope() throws Exception {
        View v2 = space.derive(space.baseView()).publish();
        CountDownLatch inScope = new CountDownLatch(1);
        CountDownLatch migrationStarted = new CountDownLatch(1);
        List<View> views = new ArrayList<>();
        Thread t = Thread.ofPlatform().start(() -> {
            try (ViewScope outer = space.enter()) {
                inScope.countDown();
                TestThreads.await(migrationStarted);
                assertFalse(space.quiescent(), "a quiescence point inside a scope is ignored");
                try (ViewScope inner = space.enter()) {
                    views.add(inner.view());
                }
                assertFalse(space.quiescent());
                views.add(outer.view());
                views.add(space.current());
            }
            assertTrue(space.quiescent(), "outside every scope the thread moves");
            views.add(space.current());
        });
        TestThreads.await(inScope);
        space.migrate(v2).allThreads().start();
        migrationStarted.countDown();
        t.join();
        assertEquals(List.of(space.baseView(), space.baseView(), space.baseView(), v2), views);
    }

    @Test
    void unbindingWithAnOpenScopeIsRefused() throws Exception {
        runOnNewThread(() -> {
            try (ViewScope s = space.enter()) {
                IllegalStateException e = assertThrows(IllegalStateException.class, space::unbindCurrentThread);
                assertTrue(e.getMessage().contains("open scope"), e.getMessage());
            }
            space.unbindCurrentThread();
            assertThrows(IllegalStateException.class, space::unbindCurrentThread);
        });
    }

    @Test
    void deadThreadsLeakNothing() throws Exception {
        View v = space.derive(space.baseView()).publish();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            threads.add((i % 2 == 0 ? Thread.ofPlatform() : Thread.ofVirtual()).start(() -> {
                space.bindCurrentThread(v);
                try (ViewScope s = space.enter()) {
                    assertSame(v, s.view());
                }
                // dies without unbinding
            }));
        }
        for (Thread t : threads) t.join();
        // each dead thread pins the view until it is swept (the housekeeper's periodic sweep
        // may already have taken some on a slow machine, so only an upper bound is certain)
        assertTrue(v.pins() <= 50, "pins " + v.pins());
        v.retire();
        assertEquals(ViewState.RETIRING, v.state());
        space.reclaimDeadThreads();
        waitUntil(() -> v.state() == ViewState.RETIRED);
        assertEquals(0, v.pins());
        assertEquals(0, space.boundThreads());
    }

    @Test
    void theHousekeeperSweepsDeadThreadsByItself() throws Exception {
        View v = space.derive(space.baseView()).publish();
        Thread t = Thread.ofPlatform().start(() -> space.bindCurrentThread(v));
        t.join();
        v.retire();
        waitUntil(() -> v.state() == ViewState.RETIRED);   // periodic sweep, no explicit call
    }

    @Test
    void idleThreadIsMigratedWithoutWaking() throws Exception {
        View v2 = space.derive(space.baseView()).publish();
        CountDownLatch idle = new CountDownLatch(1);
        CountDownLatch wake = new CountDownLatch(1);
        AtomicReference<View> after = new AtomicReference<>();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                space.awaitIdle(() -> {
                    idle.countDown();
                    wake.await();
                    return null;
                });
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            try (ViewScope s = space.enter()) {
                after.set(s.view());
            }
        });
        TestThreads.await(idle);
        Migration m = space.migrate(v2).threads(t).start();
        MigrationReport r = m.await(java.time.Duration.ofSeconds(30)); // completes while t is still parked
        assertEquals(1, r.count(ThreadMigrationState.MIGRATED));
        assertTrue(t.isAlive());
        wake.countDown();
        t.join();
        assertSame(v2, after.get(), "the first thing it runs after idling is in the new view");
    }

    @Test
    void newThreadsBindToADefaultChangedByAMigration() throws Exception {
        View v2 = space.derive(space.baseView()).publish();
        space.migrate(v2).allThreads().makeDefault().start();
        AtomicReference<View> seen = new AtomicReference<>();
        runOnNewThread(() -> seen.set(space.current()));
        assertSame(v2, seen.get());
    }

    private static void runOnNewThread(Runnable body) throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        t.join();
        if (failure.get() instanceof Error e) throw e;
        if (failure.get() instanceof Exception e) throw e;
    }
}
