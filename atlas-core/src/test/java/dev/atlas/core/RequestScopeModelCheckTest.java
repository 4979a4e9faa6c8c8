package dev.atlas.core;

import org.jetbrains.lincheck.Lincheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static dev.atlas.core.ModelCheckSupport.activeView;
import static dev.atlas.core.ModelCheckSupport.bind;
import static dev.atlas.core.ModelCheckSupport.entryState;
import static dev.atlas.core.ModelCheckSupport.migration;
import static dev.atlas.core.ModelCheckSupport.runAll;
import static dev.atlas.core.ModelCheckSupport.shared;
import static dev.atlas.core.ModelCheckSupport.thread;
import static dev.atlas.core.ThreadMigrationState.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Model checking (Lincheck) of request scopes (a thread detached between requests) and of
 * a thread switching itself between views, each racing a migrator.
 */
// Lincheck runs each invocation under its own hang detection; the whole class's time depends on
// the machine's load, which no test here asserts: a bound only against a hang of the runner itself.
@Timeout(value = 30, unit = TimeUnit.MINUTES)
class RequestScopeModelCheckTest {
    static final int INVOCATIONS = 400;

    static final class Run {
        volatile ThreadBinding binding;
        volatile Migration migration;
    }

    /**
     * The owner handles two requests (request scope open/close; it ends detached) while a
     * migrator offers it a ticket. Each request runs wholly in one view, a moved thread never
     * goes back, and — the point of detaching — the migration is complete when both are done,
     * with no further quiescence point from the owner.
     */
    @Test
    void aDetachedThreadNeverHoldsUpAMigration() {
        Lincheck.runConcurrentTest(INVOCATIONS, () -> {
            Run r = shared(new Run());
            View src = activeView(10, "src");
            View tgt = activeView(11, "tgt");
            View[] seen = shared(new View[2]);
            Thread owner = thread(() -> {
                ThreadBinding b = r.binding;
                for (int i = 0; i < seen.length; i++) {
                    try (ViewScope s = b.openRequestScope()) {
                        try (ViewScope inner = b.openRequestScope()) {   // nested: an ordinary scope
                            assertSame(s.view(), inner.view());
                        }
                        assertFalse(b.stateForOwner().idle(), "detached inside a request");
                        assertSame(s.view(), b.state().current(), "view changed inside a request");
                        seen[i] = s.view();
                    }
                }
            });
            r.binding = bind(owner, src);
            r.binding.enterIdle();   // starts detached, as a thread first seen by currentForCall()
            r.migration = migration(1, tgt, r.binding);
            Thread migrator = thread(r.migration::launch);
            runAll(owner, migrator);

            if (seen[0] == tgt) assertSame(tgt, seen[1], "a migrated thread went back to its old view");
            Migration m = r.migration;
            assertEquals(MIGRATED, entryState(m, 0), "a detached thread held up the migration");
            assertEquals(Migration.Phase.DONE, m.phase());
            assertSame(tgt.idleState, r.binding.state(), "detached in the target, nothing pending");
            assertEquals(0, src.pins());
            assertEquals(1, tgt.pins());
        });
    }

    /**
     * The owner switches itself to a third view while a migrator offers it a ticket. Either
     * the switch superseded the ticket, or the ticket arrived later and is adopted at the
     * owner's next quiescence point; no ticket is lost, and no pin leaks.
     */
    @Test
    void aSwitchRacingAMigrationSettlesTheTicketOnce() {
        Lincheck.runConcurrentTest(INVOCATIONS, () -> {
            Run r = shared(new Run());
            View src = activeView(10, "src");
            View tgt = activeView(11, "tgt");
            View other = activeView(12, "other");
            Thread owner = thread(() -> {
                ThreadBinding b = r.binding;
                other.acquire(1, "switch");
                View left = b.switchTo(other);
                assertNotNull(left);
                left.release(1);
            });
            r.binding = bind(owner, src);
            r.migration = migration(1, tgt, r.binding);
            Thread migrator = thread(r.migration::launch);
            runAll(owner, migrator);

            ThreadBinding b = r.binding;
            b.quiesce();   // the owner's next quiescence point
            Migration m = r.migration;
            ThreadMigrationState st = entryState(m, 0);
            assertTrue(st == MIGRATED || st == SUPERSEDED, "entry " + st);
            assertEquals(Migration.Phase.DONE, m.phase());
            assertSame(st == MIGRATED ? tgt.runningState : other.runningState, b.state());
            assertEquals(0, src.pins(), "source pin leaked");
            assertEquals(st == MIGRATED ? 1 : 0, tgt.pins());
            assertEquals(st == MIGRATED ? 0 : 1, other.pins());
        });
    }
}
