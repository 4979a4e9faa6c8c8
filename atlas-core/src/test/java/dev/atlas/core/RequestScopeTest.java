package dev.atlas.core;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/** Request scopes, detached threads and self-switching, through the public API. */
class RequestScopeTest {
    static final Duration LONG = Duration.ofSeconds(30);
    final ViewSpace space = ViewSpace.create("requests");

    @AfterEach
    void close() {
        space.close();
    }

    /** Runs {@code body} on a new platform thread that then waits (alive, never at a quiescence point) until released. */
    static Thread parkedAfter(Runnable body, CountDownLatch done, CountDownLatch release) {
        return Thread.ofPlatform().start(() -> {
            body.run();
            done.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    @Test
    void aThreadSeenOnlyThroughCurrentForCallIsMovedAtOnce() throws Exception {
        CountDownLatch bound = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread t = parkedAfter(space::currentForCall, bound, release);
        bound.await();
        View v2 = space.derive(space.baseView(), "v2").publish();
        Migration m = space.migrate(v2).allThreads().start();
        MigrationReport r = m.await(LONG);   // the thread never reaches a quiescence point
        assertEquals(1, r.count(ThreadMigrationState.MIGRATED));
        release.countDown();
        t.join();
    }

    @Test
    void aRequestRunsInOneViewAndTheThreadDetachesAfterIt() throws Exception {
        View v2 = space.derive(space.baseView(), "v2").publish();
        CountDownLatch inRequest = new CountDownLatch(1);
        CountDownLatch finishRequest = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<View> during = new AtomicReference<>();
        Thread t = parkedAfter(() -> {
            try (ViewScope s = space.enterRequest()) {
                inRequest.countDown();
                await(finishRequest);
                during.set(space.currentForCall());
                assertSame(s.view(), space.currentForCall());
            }
        }, done, release);
        inRequest.await();
        Migration m = space.migrate(v2).allThreads().start();
        assertFalse(m.isDone(), "moved while inside a request");
        assertEquals(1, m.stragglers().size());
        finishRequest.countDown();
        MigrationReport r = m.await(LONG);   // detached after the request: no quiescence point needed
        assertEquals(1, r.count(ThreadMigrationState.MIGRATED));
        assertSame(space.baseView(), during.get(), "the request saw the view it started in");
        release.countDown();
        t.join();
    }

    @Test
    void theNextRequestStartsInTheNewViewAndEnterAttachesADetachedThread() throws Exception {
        View v2 = space.derive(space.baseView(), "v2").publish();
        try (ViewScope s = space.enterRequest()) {
            assertSame(space.baseView(), s.view());
        }
        Migration m = space.migrate(v2).allThreads().start();
        m.await(LONG);   // this thread is detached: moved at once
        try (ViewScope s = space.enter()) {   // attaches: a plain scope on a detached thread
            assertSame(v2, s.view());
            View v3 = space.derive(v2, "v3").publish();
            Migration m3 = space.migrate(v3).threads(Thread.currentThread()).start();
            assertFalse(m3.isDone(), "an attached thread in a scope must not be moved");
            assertSame(v2, space.currentForCall());
            m3.cancel();
        }
    }

    @Test
    void switchingMovesTheThreadAndSupersedesAPendingMigration() {
        View a = space.derive(space.baseView(), "a").publish();
        View b = space.derive(space.baseView(), "b").publish();
        space.bindCurrentThread();
        try (ViewScope s = space.enter()) {
            Migration m = space.migrate(b).threads(Thread.currentThread()).start();
            assertThrows(IllegalStateException.class, () -> space.switchCurrentThread(a));
            assertFalse(m.isDone());
            s.view();
        }
        assertSame(space.baseView(), space.switchCurrentThread(a));
        assertSame(a, space.current());
        assertEquals(ThreadMigrationState.SUPERSEDED, space.runningMigrations().isEmpty()
                ? ThreadMigrationState.SUPERSEDED : space.runningMigrations().get(0).progress().get(0).state());
        assertFalse(space.quiescent(), "the superseded ticket must not move the thread");
        assertSame(a, space.current());
        assertSame(a, space.switchCurrentThread(a), "switching to where it is changes nothing");
    }

    @Test
    void switchingToARetiredViewIsRefusedAndChangesNothing() {
        View a = space.derive(space.baseView(), "a").publish();
        space.bindCurrentThread();
        a.retire();
        ViewRetiredException e = assertThrows(ViewRetiredException.class, () -> space.switchCurrentThread(a));
        assertTrue(e.getMessage().contains("switchCurrentThread"), e.getMessage());
        assertSame(space.baseView(), space.current());
        try (ViewSpace other = ViewSpace.create("other")) {
            assertThrows(IllegalArgumentException.class, () -> space.switchCurrentThread(other.baseView()));
        }
    }

    private static void await(CountDownLatch l) {
        try {
            l.await();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
