package dev.atlas.core;

import dev.atlas.core.TestThreads.InLongScope;
import dev.atlas.core.TestThreads.LoopingWorker;
import dev.atlas.core.observe.SpaceListener;
import dev.atlas.core.quiescence.QuiescentThreadPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.atlas.core.ViewLifecycleTest.waitUntil;
import static org.junit.jupiter.api.Assertions.*;

class MigrationTest {
    static final Duration LONG = Duration.ofSeconds(30);
    final ViewSpace space = ViewSpace.create("migration");

    @AfterEach
    void close() {
        space.close();
    }

    @Test
    void allThreadsMoveAndTheOldViewRetires() throws Exception {
        View v2 = space.derive(space.baseView(), "v2").publish();
        List<LoopingWorker> workers = new ArrayList<>();
        for (int i = 0; i < 4; i++) workers.add(new LoopingWorker(space, "p-" + i, false));
        for (int i = 0; i < 4; i++) workers.add(new LoopingWorker(space, "v-" + i, true));
        Migration m = space.migrate(v2).allThreads().makeDefault().start();
        space.baseView().retire();
        MigrationReport r = m.await(LONG);
        assertEquals(Migration.Phase.DONE, r.outcome());
        assertEquals(8, r.count(ThreadMigrationState.MIGRATED));
        assertTrue(r.threads().stream().allMatch(p -> p.fromViewId() == 0 && p.delay().isPresent()));
        waitUntil(() -> space.baseView().state() == ViewState.RETIRED);
        for (LoopingWorker w : workers) {
            waitUntil(() -> w.lastView.get() == v2);
            w.close();
        }
    }

    @Test
    void straggerIsReportedByNameStateAndStackAndMigrationGoesOn() throws Exception {
        View v2 = space.derive(space.baseView()).publish();
        CountDownLatch inLongRequest = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        Thread straggler = Thread.ofPlatform().name("long-request").start(() -> {
            try (ViewScope s = space.enter()) {
                inLongRequest.countDown();
                longRequest(finish);
            }
            space.quiescent();
        });
        TestThreads.await(inLongRequest);
        Migration m = space.migrate(v2).allThreads().start();
        MigrationTimeoutException e = assertThrows(MigrationTimeoutException.class, () -> m.await(Duration.ofMillis(50)));
        assertEquals(1, e.stragglers().size());
        Straggler s = e.stragglers().getFirst();
        assertEquals("long-request", s.threadName());
        assertTrue(s.stack().stream().anyMatch(f -> f.getMethodName().equals("longRequest")), s.render(20));
        assertTrue(e.getMessage().contains("long-request") && e.getMessage().contains("longRequest"), e.getMessage());
        assertEquals(1, m.remaining());
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class, () -> m.await(Duration.ofSeconds(-1)));
        assertTrue(negative.getMessage().contains("PT-1S"), negative.getMessage());
        assertThrows(MigrationTimeoutException.class, () -> m.await(Duration.ZERO), "zero polls");
        finish.countDown();
        assertEquals(1, m.await(Duration.ofSeconds(Long.MAX_VALUE)).count(ThreadMigrationState.MIGRATED));
        straggler.join();
    }

    private static void longRequest(CountDownLatch finish) {
        TestThreads.await(finish);
    }

    @Test
    void cancelLeavesPendingThreadsWhereTheyAre() throws Exception {
        View v2 = space.derive(space.baseView()).publish();
        InLongScope t = new InLongScope(space, "t", true);
        Migration m = space.migrate(v2).allThreads().makeDefault().start();
        assertSame(v2, space.defaultView());
        assertTrue(m.cancel());
        assertFalse(m.cancel(), "second cancel is a no-op");
        assertSame(space.baseView(), space.defaultView(), "makeDefault is undone");
        assertThrows(CancellationException.class, () -> m.await(LONG));
        assertEquals(ThreadMigrationState.CANCELLED, m.progress().getFirst().state());
        t.close();
        assertSame(space.baseView(), t.viewAfter.get());
        assertEquals(0, v2.pins(), "no pin left behind on the cancelled target");
    }

    @Test
    void cancelSendsMigratedThreadsBackEvenIfTheirOldViewIsRetiring() throws Exception {
        View v2 = space.derive(space.baseView()).publish();
        LoopingWorker mover = new LoopingWorker(space, "mover", false);
        InLongScope blocker = new InLongScope(space, "blocker", true);
        Migration m = space.migrate(v2).allThreads().makeDefault().start();
        space.baseView().retire();
        waitUntil(() -> m.progress().stream().anyMatch(p -> p.state() == ThreadMigrationState.MIGRATED));
        assertTrue(m.cancel());
        waitUntil(() -> mover.lastView.get() == space.baseView());
        blocker.close();
        assertThrows(CancellationException.class, () -> m.await(LONG));
        List<ThreadMigrationState> states = m.progress().stream().map(ThreadProgress::state).sorted().toList();
        assertTrue(states.contains(ThreadMigrationState.RETURNED), states.toString());
        assertEquals(ViewState.RETIRING, space.baseView().state(), "the returned thread keeps it alive");
        assertSame(v2, space.defaultView(), "a retiring view never becomes the default again");
        mover.close();
        space.reclaimDeadThreads();
        waitUntil(() -> space.baseView().state() == ViewState.RETIRED);
    }

    @Test
    void aNewerMigrationSupersedesAPendingOne() throws Exception {
        View v2 = space.derive(space.baseView()).publish();
        View v3 = space.derive(space.baseView()).publish();
        InLongScope t = new InLongScope(space, "t", true);
        Migration m2 = space.migrate(v2).allThreads().start();
        Migration m3 = space.migrate(v3).allThreads().start();
        assertEquals(ThreadMigrationState.SUPERSEDED, m2.await(LONG).threads().getFirst().state());
        t.release();
        assertEquals(ThreadMigrationState.MIGRATED, m3.await(LONG).threads().getFirst().state());
        t.close();
        assertEquals(0, v2.pins());
    }

    @Test
    void threadsThatDieBeforeMovingCountAsExited() throws Exception {
        View v2 = space.derive(space.baseView()).publish();
        InLongScope t = new InLongScope(space, "t", false);
        Migration m = space.migrate(v2).allThreads().start();
        t.close();
        space.reclaimDeadThreads();
        assertEquals(ThreadMigrationState.EXITED, m.await(LONG).threads().getFirst().state());
        assertEquals(0, v2.pins());
    }

    @Test
    void selectorsPickThreadsByGroupPoolAndPredicate() throws Exception {
        View v2 = space.derive(space.baseView()).publish();
        ThreadGroup group = new ThreadGroup("grouped");
        CountDownLatch bound = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        Thread grouped = Thread.ofPlatform().group(group).name("in-group").start(() -> {
            space.bindCurrentThread();
            bound.countDown();
            TestThreads.await(done);
        });
        TestThreads.await(bound);
        LoopingWorker named = new LoopingWorker(space, "special-1", false);
        LoopingWorker other = new LoopingWorker(space, "other", false);
        QuiescentThreadPool pool = QuiescentThreadPool.create(space, 2, "pool");
        try {
            pool.submit(() -> {}).get();
            waitUntil(() -> pool.workers().size() == 2);
            assertEquals(1, space.migrate(v2).threadGroup(group).start().size());
            assertEquals(2, space.migrate(v2).executor(pool).start().await(LONG).count(ThreadMigrationState.MIGRATED),
                    "idle pool workers move at once");
            assertEquals(1, space.migrate(v2).matching(th -> th.getName().startsWith("special")).start().size());
            Future<View> f = pool.submit(space::current);
            assertSame(v2, f.get(30, TimeUnit.SECONDS));
            waitUntil(() -> other.lastView.get() != null);
            assertSame(space.baseView(), other.lastView.get(), "unselected threads stay");
        } finally {
            done.countDown();
            pool.shutdown();
            assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
            named.close();
            other.close();
            grouped.join();
        }
    }

    @Test
    void badRequestsAreRefusedAndChangeNothing() throws Exception {
        View v2 = space.derive(space.baseView()).publish();
        IllegalStateException none = assertThrows(IllegalStateException.class, () -> space.migrate(v2).start());
        assertTrue(none.getMessage().contains("no threads selected"));
        Thread unbound = Thread.ofPlatform().unstarted(() -> {});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> space.migrate(v2).threads(unbound));
        assertTrue(e.getMessage().contains("not bound"), e.getMessage());
        MigrationRequest r = space.migrate(v2).allThreads();
        r.start();
        assertThrows(IllegalStateException.class, r::start);
        View retired = space.derive(space.baseView()).publish();
        LoopingWorker w = new LoopingWorker(space, "w", false);
        retired.retire();
        assertThrows(ViewRetiredException.class, () -> space.migrate(retired).allThreads().makeDefault().start());
        assertSame(space.baseView(), space.defaultView(), "a refused makeDefault migration leaves the default");
        assertEquals(0, space.runningMigrations().stream().filter(m -> m.target() == retired).count());
        w.close();
    }

    @Test
    void emptySelectionCompletesAtOnce() throws Exception {
        View v2 = space.derive(space.baseView()).publish();
        Migration m = space.migrate(v2).matching(t -> false).start();
        assertTrue(m.isDone());
        assertEquals(0, m.await(LONG).threads().size());
    }

    @Test
    void listenersHearEveryMigrationAndRetirementOnTheHousekeeper() throws Exception {
        List<String> heard = new CopyOnWriteArrayList<>();
        List<Thread> callers = new CopyOnWriteArrayList<>();
        space.addListener(new SpaceListener() {
            @Override public void threadMigrated(ThreadMigrated e) {
                callers.add(Thread.currentThread());
                heard.add("migrated " + e.threadName() + " " + e.fromViewId() + "->" + e.toViewId());
            }
            @Override public void migrationCompleted(MigrationCompleted e) {
                heard.add("completed " + e.outcome() + " " + e.threads());
            }
            @Override public void viewRetired(ViewRetired e) {
                heard.add("retired " + e.viewId());
            }
        });
        View v2 = space.derive(space.baseView()).publish();
        LoopingWorker a = new LoopingWorker(space, "a", false);
        LoopingWorker b = new LoopingWorker(space, "b", true);
        space.migrate(v2).allThreads().makeDefault().start().await(LONG);
        space.baseView().retire();
        waitUntil(() -> heard.contains("retired 0"));
        assertTrue(heard.contains("migrated a 0->1"), heard.toString());
        assertTrue(heard.contains("migrated b 0->1"), heard.toString());
        assertTrue(heard.contains("completed DONE 2"), heard.toString());
        assertTrue(heard.indexOf("completed DONE 2") > heard.indexOf("migrated a 0->1"));
        assertTrue(callers.stream().allMatch(t -> t.getName().startsWith("atlas-housekeeper")), callers.toString());
        a.close();
        b.close();
    }

    @Test
    void completionCallbacksAndThrowingListenersNeverRunOnAWorker() throws Exception {
        space.addListener(new SpaceListener() {
            @Override public void threadMigrated(ThreadMigrated e) {
                throw new IllegalStateException("listener failure (expected by the test)");
            }
        });
        View v2 = space.derive(space.baseView()).publish();
        InLongScope worker = new InLongScope(space, "the-worker", true);
        Migration m = space.migrate(v2).allThreads().start();
        List<String> callbackThreads = new CopyOnWriteArrayList<>();
        var done = m.completion().thenAccept(r -> callbackThreads.add(Thread.currentThread().getName()));
        worker.release();
        done.get(30, TimeUnit.SECONDS);
        worker.close();
        assertEquals(1, callbackThreads.size());
        assertTrue(callbackThreads.getFirst().startsWith("atlas-housekeeper"), callbackThreads.toString());
        assertEquals(ThreadMigrationState.MIGRATED, m.await(LONG).threads().getFirst().state());
    }

    @Test
    void describeShowsViewsThreadsAndPendingMigrations() throws Exception {
        View v2 = space.derive(space.baseView(), "patched").publish();
        InLongScope t = new InLongScope(space, "busy", true);
        Migration m = space.migrate(v2).allThreads().start();
        var d = space.describe();
        assertEquals(2, d.views().size());
        var busy = d.threads().stream().filter(i -> i.name().equals("busy")).findFirst().orElseThrow();
        assertEquals(0, busy.viewId());
        assertEquals(v2.id(), busy.pendingViewId());
        assertEquals(1, d.migrations().size());
        assertEquals(1, d.migrations().getFirst().remaining());
        String text = d.render();
        assertTrue(text.contains("patched") && text.contains("busy") && text.contains("straggler"), text);
        t.release();
        m.await(LONG);
        t.close();
    }
}
