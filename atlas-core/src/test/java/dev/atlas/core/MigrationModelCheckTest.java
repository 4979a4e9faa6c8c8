package dev.atlas.core;

import org.jetbrains.lincheck.Lincheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;
import java.util.List;
import java.util.Set;

import static dev.atlas.core.ModelCheckSupport.activeView;
import static dev.atlas.core.ModelCheckSupport.bind;
import static dev.atlas.core.ModelCheckSupport.enter;
import static dev.atlas.core.ModelCheckSupport.entryState;
import static dev.atlas.core.ModelCheckSupport.migration;
import static dev.atlas.core.ModelCheckSupport.BUSY;
import static dev.atlas.core.ModelCheckSupport.DEAD;
import static dev.atlas.core.ModelCheckSupport.runAll;
import static dev.atlas.core.ModelCheckSupport.shared;
import static dev.atlas.core.ModelCheckSupport.thread;
import static dev.atlas.core.ThreadMigrationState.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Model checking (Lincheck) of the migration protocol: the {@link BindingState} CAS
 * protocol of {@link ThreadBinding} (owner, migrator, housekeeper) and the settlement of
 * tickets, tokens and pins in {@link Migration}.
 *
 * <p>Roles follow the contracts of the real code: the owner role of a binding (scope depth,
 * {@code quiesce}, {@code enterIdle/exitIdle}) is played by one scenario thread, and by the
 * main thread only after joining it (join hands ownership over); {@code launch} and
 * {@code cancelLocked} never overlap, as the space's admin lock guarantees in production.
 * Views live in a closed space (see {@link ModelCheckSupport}) and are never retired here.
 */
// Lincheck runs each invocation under its own hang detection; the whole class's time depends on
// the machine's load, which no test here asserts: a bound only against a hang of the runner itself.
@Timeout(value = 30, unit = TimeUnit.MINUTES)
class MigrationModelCheckTest {
    static final int INVOCATIONS = 400; // ~5-10 s each on a loaded 2-core box; every seeded bug was found within 300

    /** Mutable per-run observations, published with {@code shared} so Lincheck sees the races. */
    static final class Run {
        volatile ThreadBinding binding;
        volatile boolean offered;          // the migrator's launch() has returned
        volatile boolean cancelled;        // what cancelLocked() returned
        volatile boolean exitedByCall;     // what exit() returned
        volatile Migration later;          // a migration started after another returned
    }

    // ---------------------------------------------------------------- 2. running thread

    /**
     * A running owner loops scope / quiescence point while a migrator offers it a ticket.
     * Inside a scope the view never changes (a quiescence point there is ignored); once
     * moved it never goes back; after its last quiescence point the entry is MIGRATED, the
     * binding is in the target, and pins balance (source back to 0, target 1: the thread).
     */
    @Test
    void runningThreadMovesOnlyAtAQuiescencePointOutsideEveryScope() {
        Lincheck.runConcurrentTest(INVOCATIONS, () -> {
            Run r = shared(new Run());
            View src = activeView(10, "src");
            View tgt = activeView(11, "tgt");
            View[] seen = shared(new View[2]);
            Thread owner = thread(() -> {
                ThreadBinding b = r.binding;
                for (int i = 0; i < seen.length; i++) {
                    try (ViewScope s = enter(b)) {
                        assertFalse(b.quiesce(), "a quiescence point inside a scope is ignored");
                        assertSame(s.view(), b.stateForOwner().current(), "view changed inside a scope");
                        assertSame(s.view(), b.state().current(), "view changed inside a scope");
                        seen[i] = s.view();
                    }
                    b.quiesce();
                }
            });
            r.binding = bind(owner, src);
            Migration m = migration(1, tgt, r.binding);
            Thread migrator = thread(m::launch);
            runAll(owner, migrator);

            assertTrue(seen[0] == src || seen[0] == tgt);
            if (seen[0] == tgt) assertSame(tgt, seen[1], "a migrated thread went back to its old view");
            if (m.isDone()) assertEquals(0, m.remaining(), "DONE with an entry unsettled");

            ThreadBinding b = r.binding;
            b.quiesce(); // the owner's final quiescence point (ownership handed over by join)
            assertEquals(MIGRATED, entryState(m, 0));
            assertEquals(Migration.Phase.DONE, m.phase());
            assertSame(tgt.runningState, b.state(), "bound to the target, nothing pending, not idle");
            assertEquals(0, src.pins(), "source: binding pin moved to the entry, released at finish");
            assertEquals(1, tgt.pins(), "target: the binding's pin only");
        });
    }

    // ---------------------------------------------------------------- 3. idle thread

    /**
     * The owner goes idle, comes back, runs a scope and reaches a quiescence point, while a
     * migrator offers it a ticket. If the offer completed before the owner left its idle
     * period, the owner's next scope is already in the target; if it completed before the
     * owner's quiescence point, the entry is settled after it (no ticket is lost on an idle
     * thread); in the end the entry is MIGRATED exactly once and pins balance.
     */
    @Test
    void idleThreadIsMovedAtOnceAndNoTicketIsLost() {
        Lincheck.runConcurrentTest(INVOCATIONS, () -> {
            Run r = shared(new Run());
            View src = activeView(10, "src");
            View tgt = activeView(11, "tgt");
            Migration[] mig = shared(new Migration[1]);
            Thread owner = thread(() -> {
                ThreadBinding b = r.binding;
                b.enterIdle();
                // ... blocked here: nothing runs in any view ...
                boolean offeredBeforeExit = r.offered;
                b.exitIdle();
                BindingState afterIdle = b.stateForOwner();
                assertFalse(afterIdle.idle());
                try (ViewScope s = enter(b)) {
                    assertSame(afterIdle.current(), s.view());
                    if (offeredBeforeExit) {
                        assertSame(tgt, s.view(), "offered while idle (or before), but ran in the old view");
                    }
                    assertSame(s.view(), b.state().current(), "view changed inside a scope");
                }
                boolean offeredBeforeQuiesce = r.offered;
                b.quiesce();
                if (offeredBeforeQuiesce) {
                    assertEquals(MIGRATED, entryState(mig[0], 0), "ticket lost: offered before the quiescence point");
                    assertSame(tgt.runningState, b.state());
                }
            });
            r.binding = bind(owner, src);
            mig[0] = migration(1, tgt, r.binding);
            Thread migrator = thread(() -> {
                mig[0].launch();
                r.offered = true;
            });
            runAll(owner, migrator);

            Migration m = mig[0];
            if (m.isDone()) assertEquals(0, m.remaining(), "DONE with an entry unsettled");
            ThreadBinding b = r.binding;
            b.quiesce(); // the owner's final quiescence point
            assertEquals(MIGRATED, entryState(m, 0));
            assertEquals(Migration.Phase.DONE, m.phase());
            assertSame(tgt.runningState, b.state(), "bound to the target, nothing pending, not idle");
            assertEquals(0, src.pins());
            assertEquals(1, tgt.pins());
        });
    }

    // ---------------------------------------------------------------- 4. cancel vs adoption

    /**
     * The owner adopts its ticket at a quiescence point (then goes idle and back) while an
     * admin thread cancels the migration; a second thread stays busy in a scope, so the
     * migration cannot finish before the cancel. Whoever wins the Dekker race, the thread
     * ends in the source view after one more quiescence point, never stranded in the
     * target; the entry ends CANCELLED or RETURNED; no pin leaks on either view.
     */
    @Test
    void cancelRacingAdoptionAlwaysBringsTheThreadBack() {
        Lincheck.runConcurrentTest(INVOCATIONS, () -> {
            Run r = shared(new Run());
            View src = activeView(10, "src");
            View tgt = activeView(11, "tgt");
            Thread owner = thread(() -> {
                ThreadBinding b = r.binding;
                b.quiesce();
                b.enterIdle();
                b.exitIdle();
            });
            r.binding = bind(owner, src);
            ThreadBinding busy = bind(BUSY, src); // in a long scope: never quiescent
            Migration m = migration(1, tgt, r.binding, busy);
            m.launch(); // under the admin lock, like cancel: never concurrent with it
            Thread admin = thread(() -> r.cancelled = m.cancelLocked());
            runAll(owner, admin);

            assertTrue(r.cancelled, "the busy thread keeps the migration running until the cancel");
            if (m.isDone()) assertEquals(0, m.remaining(), "CANCELLED with an entry unsettled");
            ThreadBinding b = r.binding;
            b.quiesce(); // one more quiescence point
            assertEquals(Migration.Phase.CANCELLED, m.phase());
            assertTrue(Set.of(CANCELLED, RETURNED).contains(entryState(m, 0)), "entry " + entryState(m, 0));
            assertEquals(CANCELLED, entryState(m, 1));
            assertSame(src.runningState, b.state(), "stranded: the thread must be back in the source view");
            assertSame(src.runningState, busy.state());
            assertEquals(0, tgt.pins(), "pins leaked on the cancelled target");
            assertEquals(2, src.pins(), "source: exactly the two bindings' pins");
        });
    }

    /**
     * An operator cancels a migration and, once cancel() has returned, migrates the same
     * thread to a third view. The later migration is the operator's last word: the thread
     * must end in its target, and its entry must not be SUPERSEDED (that state means "a
     * newer migration took the thread over", and nothing newer exists).
     *
     * <p>The interleaving this guards against (ThreadBinding.offer: a return ticket yields to
     * any newer request): the owner's quiescence point removes its forward ticket (CAS
     * RUNNING(src, t1) to RUNNING(tgt)) but has not yet written MIGRATED; the admin's
     * cancelLocked() flips the phase to CANCELLING, reads the entry as PENDING, fails to
     * withdraw the ticket, re-reads PENDING and skips it, cancels the busy entry, returns
     * true; the operator then launches the later migration, whose ticket is installed on the
     * thread (RUNNING(tgt, t2)). The owner resumes: writes MIGRATED, reads CANCELLING, wins
     * MIGRATED to RETURNING and sendBack() offers the return ticket. If that ticket
     * superseded t2, the thread would go back to src and the later migration finish DONE with
     * the thread SUPERSEDED: pins and exactly-once settlement would stay correct, but
     * cancel's effect would not be complete when cancel() returns, and a return ticket would
     * override tickets of newer migrations.
     */
    @Test
    void aCancelThatHasReturnedNeverOverridesALaterMigration() {
        Lincheck.runConcurrentTest(INVOCATIONS, () -> {
            Run r = shared(new Run());
            View src = activeView(10, "src");
            View tgt = activeView(11, "tgt");
            View later = activeView(12, "later");
            Thread owner = thread(() -> r.binding.quiesce());
            r.binding = bind(owner, src);
            ThreadBinding busy = bind(BUSY, src);
            Migration m = migration(1, tgt, r.binding, busy);
            m.launch();
            Thread admin = thread(() -> {
                r.cancelled = m.cancelLocked();
                // cancel() has returned and released the admin lock: the operator goes on
                Migration m2 = migration(2, later, r.binding);
                r.later = m2;
                m2.launch();
            });
            runAll(owner, admin);

            ThreadBinding b = r.binding;
            b.quiesce(); // the owner's next quiescence point
            assertTrue(r.cancelled);
            Migration m2 = r.later;
            assertEquals(Migration.Phase.DONE, m2.phase());
            assertEquals(MIGRATED, entryState(m2, 0), "the later migration lost its thread to the earlier cancel");
            assertSame(later.runningState, b.state(), "the thread must end where the last request sent it");
            assertEquals(Migration.Phase.CANCELLED, m.phase());
            assertEquals(0, tgt.pins());
        });
    }

    /**
     * The deterministic face of the same bug (no race needed, so a plain sequential test):
     * cancelling an older migration whose thread has moved overrides a newer migration
     * that is still waiting for that thread. The return ticket supersedes the newer
     * ticket, the thread goes back to the older migration's source view, and the newer
     * migration reports DONE with the thread SUPERSEDED, although nothing newer exists.
     */
    @Test
    void cancellingAnOlderMigrationNeverOverridesANewerOne() {
        View src = activeView(10, "src");
        View tgt = activeView(11, "tgt");
        View newer = activeView(12, "newer");
        ThreadBinding b = bind(Thread.currentThread(), src);   // this thread plays the owner
        ThreadBinding busy = bind(BUSY, src);                  // keeps m running
        Migration m = migration(1, tgt, b, busy);
        m.launch();
        assertTrue(b.quiesce());                               // moved to tgt: MIGRATED in m
        Migration m2 = migration(2, newer, b);
        m2.launch();                                           // pending: the owner is in a scope
        assertTrue(m.cancelLocked());
        b.quiesce();
        assertSame(newer.runningState, b.state(), "the newer migration's target is the last word");
        assertEquals(MIGRATED, entryState(m2, 0));
    }

    // ---------------------------------------------------------------- 5. supersede vs adoption

    /**
     * Two migrations to different targets offer tickets to the same thread concurrently
     * with its quiescence point. Each ticket is settled exactly once (MIGRATED or
     * SUPERSEDED, both migrations DONE); the thread ends in the target of the last ticket it
     * adopted; the other target and the source are left with no pin.
     */
    @Test
    void concurrentMigrationsSupersedeEachOtherCleanly() {
        Lincheck.runConcurrentTest(INVOCATIONS, () -> {
            Run r = shared(new Run());
            View src = activeView(10, "src");
            View t1 = activeView(11, "t1");
            View t2 = activeView(12, "t2");
            Thread owner = thread(() -> r.binding.quiesce());
            r.binding = bind(owner, src);
            Migration m1 = migration(1, t1, r.binding);
            Migration m2 = migration(2, t2, r.binding);
            runAll(owner, thread(m1::launch), thread(m2::launch));

            ThreadBinding b = r.binding;
            b.quiesce(); // the owner's final quiescence point
            assertEquals(Migration.Phase.DONE, m1.phase());
            assertEquals(Migration.Phase.DONE, m2.phase());
            ThreadProgress p1 = m1.progress().getFirst();
            ThreadProgress p2 = m2.progress().getFirst();
            assertTrue(Set.of(MIGRATED, SUPERSEDED).contains(p1.state()), "m1 " + p1);
            assertTrue(Set.of(MIGRATED, SUPERSEDED).contains(p2.state()), "m2 " + p2);
            View last;
            if (p1.state() == MIGRATED && p2.state() == MIGRATED) {
                // both moved it: the one that moved it out of the other's target came last
                assertTrue((p1.fromViewId() == src.id()) != (p2.fromViewId() == src.id()), p1 + " / " + p2);
                last = p2.fromViewId() == t1.id() ? t2 : t1;
                assertEquals((last == t2 ? t1 : t2).id(), (last == t2 ? p2 : p1).fromViewId());
            } else {
                assertNotEquals(p1.state(), p2.state(), "both superseded: the thread was lost");
                last = p1.state() == MIGRATED ? t1 : t2;
                assertEquals(src.id(), (last == t1 ? p1 : p2).fromViewId());
            }
            assertSame(last.runningState, b.state(), "the thread must end in the target of its last adoption");
            assertEquals(1, last.pins());
            assertEquals(0, (last == t1 ? t2 : t1).pins(), "pins leaked on the other target");
            assertEquals(0, src.pins());
        });
    }

    // ---------------------------------------------------------------- 6. exit vs offer

    /**
     * The housekeeper's exit() of a dead thread races a migrator's offer. The ticket of a
     * thread that was running (not idle, not in the target) can only end EXITED; the
     * migration finishes and every pin is released, the binding's included.
     */
    @Test
    void exitRacingAnOfferSettlesTheTicketAsExited() {
        Lincheck.runConcurrentTest(INVOCATIONS, () -> {
            Run r = shared(new Run());
            View src = activeView(10, "src");
            View tgt = activeView(11, "tgt");
            r.binding = bind(DEAD, src);
            Migration m = migration(1, tgt, r.binding);
            Thread housekeeper = thread(() -> r.exitedByCall = r.binding.exit());
            runAll(housekeeper, thread(m::launch));

            assertTrue(r.exitedByCall);
            assertFalse(r.binding.exit(), "exit is terminal");
            assertTrue(r.binding.state().exited());
            assertEquals(EXITED, entryState(m, 0));
            assertEquals(Migration.Phase.DONE, m.phase());
            assertEquals(0, src.pins(), "the binding's pin must be released");
            assertEquals(0, tgt.pins(), "the ticket's pin must be released");
        });
    }

    /**
     * As above, with a thread that died while idle: the offer may move it at once (MIGRATED)
     * or find it exited (EXITED); either way the migration finishes and no pin is left.
     */
    @Test
    void exitRacingAnOfferToAnIdleThreadLeaksNoPin() {
        Lincheck.runConcurrentTest(INVOCATIONS, () -> {
            Run r = shared(new Run());
            View src = activeView(10, "src");
            View tgt = activeView(11, "tgt");
            r.binding = bind(DEAD, src);
            r.binding.enterIdle(); // the thread's last act (the main thread plays it before it "dies")
            Migration m = migration(1, tgt, r.binding);
            Thread housekeeper = thread(() -> r.exitedByCall = r.binding.exit());
            runAll(housekeeper, thread(m::launch));

            assertTrue(r.exitedByCall);
            assertTrue(r.binding.state().exited());
            assertTrue(Set.of(EXITED, MIGRATED).contains(entryState(m, 0)), "entry " + entryState(m, 0));
            assertEquals(Migration.Phase.DONE, m.phase());
            assertEquals(0, src.pins());
            assertEquals(0, tgt.pins());
        });
    }

    /**
     * The housekeeper's exit() races a cancel of a launched migration (withdraw): exactly
     * one of them removes the ticket and settles it (EXITED or CANCELLED); the migration ends
     * CANCELLED exactly when cancel() reported success; no pin leaks.
     */
    @Test
    void exitRacingACancelSettlesTheTicketOnce() {
        Lincheck.runConcurrentTest(INVOCATIONS, () -> {
            Run r = shared(new Run());
            View src = activeView(10, "src");
            View tgt = activeView(11, "tgt");
            r.binding = bind(DEAD, src);
            Migration m = migration(1, tgt, r.binding);
            m.launch();
            Thread housekeeper = thread(() -> r.exitedByCall = r.binding.exit());
            Thread admin = thread(() -> r.cancelled = m.cancelLocked());
            runAll(housekeeper, admin);

            assertTrue(r.exitedByCall);
            ThreadMigrationState st = entryState(m, 0);
            assertTrue(st == EXITED || st == CANCELLED, "entry " + st);
            if (st == CANCELLED) assertTrue(r.cancelled, "CANCELLED by a cancel that reported failure");
            // exit may settle the ticket after cancel's guard token: cancelled with the entry EXITED
            assertEquals(r.cancelled ? Migration.Phase.CANCELLED : Migration.Phase.DONE, m.phase());
            assertEquals(0, src.pins());
            assertEquals(0, tgt.pins());
            assertEquals(List.of(), m.stragglers());
        });
    }
}
