package dev.atlas.core;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

class ViewLifecycleTest {
    static final ViewKey<String> GREETING = ViewKey.of("greeting", String.class);
    static final ViewKey<Integer> LIMIT = ViewKey.of("limit", Integer.class);

    final ViewSpace space = ViewSpace.create("lifecycle");

    @AfterEach
    void close() {
        space.close();
    }

    @Test
    void baseViewIsActiveDefaultWithIdZero() {
        View base = space.baseView();
        assertEquals(0, base.id());
        assertEquals(ViewState.ACTIVE, base.state());
        assertSame(base, space.defaultView());
        assertTrue(base.parent().isEmpty());
    }

    @Test
    void baseViewCanCarryValuesAndCleanupFromCreation() throws Exception {
        AtomicInteger cleanups = new AtomicInteger();
        try (ViewSpace s = ViewSpace.create("with-base", base -> base
                .diverge(GREETING, "hello from base")
                .onRetire(cleanups::incrementAndGet))) {
            View base = s.baseView();
            assertEquals(ViewState.ACTIVE, base.state());
            assertEquals("hello from base", base.get(GREETING));
            assertEquals(Set.of(GREETING), base.divergences());
            View v2 = s.derive(base).diverge(LIMIT, 2).publish();
            assertEquals("hello from base", v2.get(GREETING), "inherited from the base");
            s.setDefaultView(v2);
            base.retire();
            waitUntil(() -> cleanups.get() == 1);
        }
    }

    @Test
    void aFailingBaseSetupCreatesNothingAndLeavesNothingRunning() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ViewSpace.create("broken-setup", base -> { throw new IllegalStateException("setup failed"); }));
        assertEquals("setup failed", e.getMessage());
        IllegalStateException inside = assertThrows(IllegalStateException.class,
                () -> ViewSpace.create("publishes-itself", ViewBuilder::publish));
        assertTrue(inside.getMessage().contains("base view"), inside.getMessage());
        assertTrue(Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().equals("atlas-housekeeper-broken-setup")
                        || t.getName().equals("atlas-housekeeper-publishes-itself")));
    }

    @Test
    void derivedViewInheritsAndDivergesOnlyInDeclaredAreas() {
        View v1 = space.derive(space.baseView(), "v1").diverge(GREETING, "hello").diverge(LIMIT, 1).publish();
        View v2 = space.derive(v1, "v2").diverge(LIMIT, 2).publish();
        assertEquals("hello", v2.get(GREETING));     // inherited
        assertEquals(2, v2.get(LIMIT));              // own
        assertEquals(1, v1.get(LIMIT));              // parent unchanged
        assertNull(space.baseView().get(GREETING));
        assertEquals(Set.of(LIMIT), v2.divergences());
        assertSame(v1, v2.parent().orElseThrow());
    }

    @Test
    void preparingViewIsVisibleButNotEnterable() {
        ViewBuilder b = space.derive(space.baseView(), "prep");
        View v = b.view();
        assertEquals(ViewState.PREPARING, v.state());
        assertTrue(space.describe().views().stream().anyMatch(i -> i.id() == v.id() && i.state().equals("PREPARING")));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> v.get(GREETING));
        assertTrue(e.getMessage().contains("PREPARING"), e.getMessage());
        ViewRetiredException m = assertThrows(ViewRetiredException.class, () -> space.migrate(v).allThreads().start());
        assertEquals(ViewState.PREPARING, m.state());
        b.publish();
        assertEquals(ViewState.ACTIVE, v.state());
    }

    @Test
    void builderIsSingleUseAndChecksValues() {
        ViewBuilder b = space.derive(space.baseView());
        b.diverge(GREETING, "x");
        assertThrows(IllegalArgumentException.class, () -> b.diverge(GREETING, "y"));
        b.publish();
        IllegalStateException e = assertThrows(IllegalStateException.class, b::publish);
        assertTrue(e.getMessage().contains("single use"));
    }

    @Test
    void retireRunsCleanupExactlyOnceWhenNoThreadIsBound() throws Exception {
        AtomicInteger cleanups = new AtomicInteger();
        CountDownLatch ran = new CountDownLatch(1);
        View v = space.derive(space.baseView()).onRetire(() -> { cleanups.incrementAndGet(); ran.countDown(); }).publish();
        v.retire();
        TestThreads.await(ran);
        assertEquals(ViewState.RETIRED, v.state());
        assertEquals(1, cleanups.get());
        assertFalse(space.views().contains(v));
    }

    @Test
    void retireWaitsForTheLastBoundThread() throws Exception {
        AtomicInteger cleanups = new AtomicInteger();
        View v = space.derive(space.baseView()).onRetire(cleanups::incrementAndGet).publish();
        CountDownLatch bound = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread t = Thread.ofPlatform().start(() -> {
            space.bindCurrentThread(v);
            try (ViewScope s = space.enter()) {
                assertSame(v, s.view());
                bound.countDown();
                TestThreads.await(release);
                assertEquals(ViewState.RETIRING, s.view().state()); // still usable while retiring
            }
            space.unbindCurrentThread();
        });
        TestThreads.await(bound);
        v.retire();
        assertEquals(ViewState.RETIRING, v.state());
        assertEquals(0, cleanups.get());
        release.countDown();
        t.join();
        waitUntil(() -> cleanups.get() == 1);
        assertEquals(ViewState.RETIRED, v.state());
        assertEquals(1, cleanups.get());
    }

    @Test
    void retiringTwiceIsRefusedAndChangesNothing() {
        View v = space.derive(space.baseView()).publish();
        v.retire();
        ViewRetiredException e = assertThrows(ViewRetiredException.class, v::retire);
        assertEquals(v.id(), e.viewId());
        assertTrue(e.getMessage().contains("retire"));
    }

    @Test
    void defaultViewCannotBeRetired() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> space.baseView().retire());
        assertTrue(e.getMessage().contains("default view"), e.getMessage());
        assertEquals(ViewState.ACTIVE, space.baseView().state());
    }

    @Test
    void retiredViewRefusesThreadsAndChildren() {
        View v = space.derive(space.baseView()).publish();
        v.retire();
        assertThrows(ViewRetiredException.class, () -> space.migrate(v).allThreads().start());
        assertThrows(ViewRetiredException.class, () -> space.setDefaultView(v));
        assertThrows(ViewRetiredException.class, () -> space.bindCurrentThread(v));
        assertThrows(ViewRetiredException.class, () -> space.derive(v));
        assertSame(space.baseView(), space.defaultView());
        assertEquals(0, space.boundThreads());
    }

    @Test
    void foreignViewsAreRefused() {
        try (ViewSpace other = ViewSpace.create("other")) {
            View foreign = other.baseView();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> space.migrate(foreign));
            assertTrue(e.getMessage().contains("'other'") && e.getMessage().contains("'lifecycle'"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> space.derive(foreign));
            assertThrows(IllegalArgumentException.class, () -> space.setDefaultView(foreign));
            assertThrows(IllegalArgumentException.class, () -> space.bindCurrentThread(foreign));
        }
    }

    @Test
    void abandonedViewRetiresAndRunsCleanup() {
        AtomicInteger cleanups = new AtomicInteger();
        ViewBuilder b = space.derive(space.baseView()).onRetire(cleanups::incrementAndGet);
        b.abandon();
        waitUntil(() -> cleanups.get() == 1);
        assertEquals(ViewState.RETIRED, b.view().state());
    }

    @Test
    void failingCleanupActionDoesNotStopTheOthers() {
        AtomicInteger cleanups = new AtomicInteger();
        View v = space.derive(space.baseView())
                .onRetire(() -> { throw new IllegalStateException("boom (expected by the test)"); })
                .onRetire(cleanups::incrementAndGet)
                .publish();
        v.retire();
        waitUntil(() -> cleanups.get() == 1);
    }

    @Test
    void closedSpaceRefusesNewWorkButKeepsRetiring() throws Exception {
        View v = space.derive(space.baseView()).publish();
        AtomicInteger cleanups = new AtomicInteger();
        View w = space.derive(space.baseView()).onRetire(cleanups::incrementAndGet).publish();
        space.close();
        space.close(); // idempotent
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> space.derive(v));
        assertTrue(e.getMessage().contains("closed"));
        assertThrows(IllegalStateException.class, () -> space.migrate(v));
        java.util.concurrent.atomic.AtomicReference<Throwable> unbound = new java.util.concurrent.atomic.AtomicReference<>();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                space.enter().close();
            } catch (Throwable x) {
                unbound.set(x);
            }
        });
        t.join();
        assertInstanceOf(IllegalStateException.class, unbound.get(), "an unbound thread cannot enter a closed space");
        w.retire();
        assertEquals(1, cleanups.get(), "after close, cleanup runs on the releasing thread");
    }

    @Test
    void aClosedSpaceRefusesOutermostScopesButAScopeOpenAtCloseFinishesItsNestedOnes() {
        space.bindCurrentThread();
        ViewScope open = space.enterRequest();
        space.close();
        space.enter().close();          // nested in the request running at close: it runs to its end
        space.enterRequest().close();   // a nested request scope is an ordinary nested scope
        open.close();   // a scope opened before close still closes
        IllegalStateException e = assertThrows(IllegalStateException.class, space::enter);
        assertTrue(e.getMessage().contains("closed") && e.getMessage().contains("enter"), e.getMessage());
        assertThrows(IllegalStateException.class, space::enterRequest);
        space.unbindCurrentThread();
    }

    static void waitUntil(java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 30 s");
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }
}
