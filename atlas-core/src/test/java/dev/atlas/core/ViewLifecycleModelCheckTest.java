package dev.atlas.core;

import org.jetbrains.lincheck.Lincheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.atlas.core.ModelCheckSupport.activeView;
import static dev.atlas.core.ModelCheckSupport.runAll;
import static dev.atlas.core.ModelCheckSupport.shared;
import static dev.atlas.core.ModelCheckSupport.thread;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Model checking (Lincheck) of the lifecycle word of {@link View}: pins, RETIRING, RETIRED.
 *
 * <p>Note on coverage: Lincheck 3.7 intercepts VarHandle getAndAdd and compareAndSet as
 * atomic shared accesses (each one a possible context switch), but not getAndBitwiseOr/And:
 * the RETIRING OR in {@code requestRetirement} runs without a switch point of its own,
 * glued to the shared access before it (the volatile write of {@code retirementRequested}
 * here, which nothing reads before the OR could matter). Every interleaving around it is
 * still explored: switches happen before that write and before the next access after it.
 */
// Lincheck runs each invocation under its own hang detection; the whole class's time depends on
// the machine's load, which no test here asserts: a bound only against a hang of the runner itself.
@Timeout(value = 30, unit = TimeUnit.MINUTES)
class ViewLifecycleModelCheckTest {
    static final int INVOCATIONS = 1_000;

    /** What one scenario run observed; published with {@code shared} so Lincheck sees the races. */
    static final class Observed {
        final AtomicInteger retirements = new AtomicInteger();
        volatile boolean retirementRequested;   // set just before the request
        volatile boolean requestReturned;       // set just after it
        volatile boolean requestAccepted;
    }

    /**
     * Two pins are held (by bound threads) when the scenario starts. Concurrently: two
     * threads each try a transient acquire/release pair and then drop one of the held pins,
     * while an admin thread requests retirement. Invariants:
     * <ul>
     *   <li>I1: the view ends RETIRED, its cleanup ran exactly once, no pin is left;</li>
     *   <li>a thread holding a pin from a successful acquire never sees it RETIRED, nor its
     *       cleanup run, until it releases;</li>
     *   <li>an acquire fails only after retirement was requested, and never succeeds once
     *       the request has returned (I2).</li>
     * </ul>
     */
    @Test
    void retiresExactlyOnceNeverUnderAPinAndRefusesOnlyAfterTheRequest() {
        Lincheck.runConcurrentTest(INVOCATIONS, () -> {
            Observed o = shared(new Observed());
            View v = activeView(1, "v", o.retirements);
            v.acquire(2, "two bound threads");

            Runnable worker = () -> {
                for (int i = 0; i < 2; i++) {
                    boolean requestedBefore = o.requestReturned;
                    if (v.tryAcquire(1)) {
                        assertFalse(requestedBefore, "acquired a view whose retirement was already requested (I2)");
                        assertNotEquals(ViewState.RETIRED, v.state(), "retired while a pin is held");
                        assertEquals(0, o.retirements.get(), "cleanup ran while a pin is held");
                        v.release(1);
                    } else {
                        assertTrue(o.retirementRequested, "an acquire failed before retirement was requested");
                    }
                }
                v.release(1); // one of the pins held from the start
            };
            Thread a = thread(worker);
            Thread b = thread(worker);
            Thread admin = thread(() -> {
                o.retirementRequested = true;
                o.requestAccepted = v.requestRetirement();
                o.requestReturned = true;
                assertFalse(v.requestRetirement(), "a second request must be refused");
            });
            runAll(a, b, admin);

            assertTrue(o.requestAccepted);
            assertEquals(ViewState.RETIRED, v.state());
            assertEquals(1, o.retirements.get(), "cleanup must run exactly once");
            assertEquals(0, v.pins());
            assertFalse(v.tryAcquire(1));
            assertEquals(0, v.pins(), "a refused acquire keeps no pin");
            assertEquals(1, o.retirements.get(), "a refused acquire on a RETIRED view retires nothing again");
        });
    }

    /**
     * No pin is held when retirement is requested, but transient acquires race with the
     * request: the request itself, or the undo of a refused acquire, must finish the
     * retirement, and only one of them.
     */
    @Test
    void unpinnedViewRetiresExactlyOnceDespiteTransientAcquires() {
        Lincheck.runConcurrentTest(INVOCATIONS, () -> {
            Observed o = shared(new Observed());
            View v = activeView(2, "v", o.retirements);

            Runnable transientUser = () -> {
                if (v.tryAcquire(2)) {
                    assertEquals(0, o.retirements.get(), "cleanup ran while a pin is held");
                    v.release(1);
                    assertNotEquals(ViewState.RETIRED, v.state(), "retired while a pin is held");
                    v.release(1);
                } else {
                    assertTrue(o.retirementRequested, "an acquire failed before retirement was requested");
                }
            };
            Thread a = thread(transientUser);
            Thread b = thread(transientUser);
            Thread admin = thread(() -> {
                o.retirementRequested = true;
                o.requestAccepted = v.requestRetirement();
            });
            runAll(a, b, admin);

            assertTrue(o.requestAccepted);
            assertEquals(ViewState.RETIRED, v.state());
            assertEquals(1, o.retirements.get(), "cleanup must run exactly once");
            assertEquals(0, v.pins());
        });
    }
}
