package dev.atlas.patch.jit;

import dev.atlas.testsupport.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.*;

class JitPriorityWindowTest {

    private static final int OTHER = CompilerThreadControl.SCHED_OTHER;
    private static final int IDLE = CompilerThreadControl.SCHED_IDLE;
    private static final JitPriority NICE_19 = JitPriority.nice(19);

    /**
     * Compiler threads in a map (tid -> scheduling); refuses the tids in {@code refuse}; a tid
     * in {@code gone} has exited. Checks that every change starts from what the thread has.
     */
    static final class FakeThreads implements CompilerThreadControl {
        final Map<Integer, Priority> threads = new LinkedHashMap<>();
        final Set<Integer> refuse = new HashSet<>();
        final Set<Integer> gone = new HashSet<>();
        final List<String> calls = new ArrayList<>();
        String unavailable;

        FakeThreads with(int tid, int nice) {
            return with(tid, OTHER, nice);
        }

        FakeThreads with(int tid, int policy, int nice) {
            threads.put(tid, new Priority(policy, nice));
            return this;
        }

        @Override
        public Optional<String> unavailable() {
            return Optional.ofNullable(unavailable);
        }

        @Override
        public synchronized List<CompilerThread> compilerThreads() {
            List<CompilerThread> l = new ArrayList<>();
            threads.forEach((tid, p) -> l.add(new CompilerThread(tid, "C2 CompilerThre", p)));
            return l;
        }

        @Override
        public synchronized boolean set(int tid, Priority from, Priority to) {
            calls.add(tid + "=" + to);
            if (refuse.contains(tid)) {
                throw new IllegalStateException("sched_setscheduler(" + tid + ", SCHED_IDLE) failed: EACCES");
            }
            if (gone.contains(tid)) {
                return false;
            }
            assertEquals(threads.get(tid), from, "thread " + tid + " changed from what it has");
            threads.put(tid, to);
            return true;
        }

        /** tid -> nice value. */
        synchronized Map<Integer, Integer> niceValues() {
            Map<Integer, Integer> m = new HashMap<>();
            threads.forEach((tid, p) -> m.put(tid, p.nice()));
            return m;
        }

        synchronized Map<Integer, Priority> priorities() {
            return new HashMap<>(threads);
        }
    }

    @Test
    void aLeaseLowersTheThreadsBelowItsValueAndClosingGivesEachItsOwnValueBack() {
        FakeThreads os = new FakeThreads().with(1, 0).with(2, -2).with(3, 19);
        JitPriorityWindow w = new JitPriorityWindow(os, NICE_19);
        JitPriorityWindow.Lease lease = w.open();
        assertTrue(lease.lowered());
        assertEquals(Map.of(1, 19, 2, 19, 3, 19), os.niceValues());
        assertEquals("2 JIT compiler thread(s) at nice 19 (1 already there)", lease.describe());
        assertEquals(List.of("1=nice 19", "2=nice 19"), os.calls, "a thread already at the value is not touched");
        lease.close();
        assertEquals(Map.of(1, 0, 2, -2, 3, 19), os.niceValues());
        assertEquals(0, w.openLeases());
    }

    @Test
    void leasesNestAndOnlyTheLastOneClosedRaisesTheThreadsBack() {
        FakeThreads os = new FakeThreads().with(1, 0);
        JitPriorityWindow w = new JitPriorityWindow(os, JitPriority.nice(15));
        JitPriorityWindow.Lease first = w.open();
        JitPriorityWindow.Lease second = w.open();
        assertTrue(second.lowered());
        assertEquals(first.describe(), second.describe(), "a nested lease says what the window does");
        assertEquals(2, w.openLeases());
        first.close();
        first.close();   // idempotent: must not release the second lease's hold
        assertEquals(1, w.openLeases());
        assertEquals(15, os.niceValues().get(1), "still lowered while a lease is open");
        second.close();
        assertEquals(0, os.niceValues().get(1));
        assertEquals(0, w.openLeases());
    }

    @Test
    void aCompilerThreadStartedWhileLoweredGetsTheLowestOriginalValueAndOthersAreLeftAlone() {
        FakeThreads os = new FakeThreads().with(1, 2).with(2, 0);
        JitPriorityWindow w = new JitPriorityWindow(os, NICE_19);
        JitPriorityWindow.Lease lease = w.open();
        synchronized (os) {
            os.with(3, 19);          // started by a lowered compiler thread: inherited 19
            os.with(4, 5);           // some thread the user set to 5 on purpose
            os.threads.remove(2);    // exited meanwhile
        }
        lease.close();
        assertEquals(Map.of(1, 2, 3, 0, 4, 5), os.niceValues());
    }

    @Test
    void aRefusalWhileLoweringUndoesWhatWasDoneAndTheLeaseSaysWhy() {
        FakeThreads os = new FakeThreads().with(1, 0).with(2, 3).with(3, 0);
        os.refuse.add(3);
        JitPriorityWindow w = new JitPriorityWindow(os, NICE_19);
        JitPriorityWindow.Lease lease = w.open();
        assertFalse(lease.lowered());
        assertTrue(lease.describe().startsWith("JIT compiler threads left at their priority: lowering C2 CompilerThre "
                + "(thread 3) was refused"), lease.describe());
        assertTrue(lease.describe().contains("EACCES"), lease.describe());
        assertEquals(Map.of(1, 0, 2, 3, 3, 0), os.niceValues(), "all or nothing");
        assertEquals(0, w.openLeases());
        lease.close();
        assertEquals(Map.of(1, 0, 2, 3, 3, 0), os.niceValues());
    }

    @Test
    void aThreadThatExitedBeforeItCouldBeLoweredIsSkipped() {
        FakeThreads os = new FakeThreads().with(1, 0).with(2, 0);
        os.gone.add(2);
        JitPriorityWindow w = new JitPriorityWindow(os, JitPriority.nice(10));
        JitPriorityWindow.Lease lease = w.open();
        assertTrue(lease.lowered());
        assertEquals("1 JIT compiler thread(s) at nice 10", lease.describe());
        lease.close();
        assertEquals(0, os.niceValues().get(1));
    }

    @Test
    void whereThePriorityCouldNotBeRaisedBackNothingIsLowered() {
        FakeThreads os = new FakeThreads().with(1, 0);
        os.unavailable = "this process may lower a thread's priority but not raise it back (EPERM)";
        JitPriorityWindow.Lease lease = new JitPriorityWindow(os, NICE_19).open();
        assertFalse(lease.lowered());
        assertEquals("JIT compiler threads left at their priority: " + os.unavailable, lease.describe());
        assertEquals(List.of(), os.calls);
    }

    @Test
    void theWindowThatIsOffChangesNothingAndSaysSo() {
        JitPriorityWindow w = JitPriorityWindow.off();
        assertEquals(JitPriority.OFF, w.priority());
        assertTrue(w.unavailable().orElseThrow().contains("jitPriority=off"));
        JitPriorityWindow.Lease lease = w.open();
        assertFalse(lease.lowered());
        assertTrue(lease.describe().contains("jitPriority=off"), lease.describe());
        assertTrue(JitPriorityWindow.forThisJvm(JitPriority.nice(0)).unavailable().isPresent());
        assertTrue(JitPriorityWindow.forThisJvm(JitPriority.OFF).unavailable().isPresent());
    }

    @Test
    void aJitPriorityIsIdleOffOrANiceValueAndOthersAreRefusedNamingTheValue() {
        assertEquals(JitPriority.IDLE, JitPriority.parse("idle"));
        assertEquals(JitPriority.OFF, JitPriority.parse(" off "));
        assertEquals(new JitPriority(JitPriority.Kind.NICE, 19), JitPriority.parse("19"));
        assertEquals("SCHED_IDLE", JitPriority.IDLE.describe());
        assertEquals("nice 12", JitPriority.nice(12).describe());
        assertEquals("12", JitPriority.nice(12).toString(), "the option's syntax, parsed back");
        for (int bad : new int[] {-1, 20, 40}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JitPriority.nice(bad));
            assertTrue(e.getMessage().contains("is " + bad) && e.getMessage().contains("19"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> new JitPriority(JitPriority.Kind.IDLE, 5));
        assertThrows(IllegalArgumentException.class, () -> new JitPriority(JitPriority.Kind.NICE, 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JitPriority.parse("lowest"));
        assertTrue(e.getMessage().contains("'lowest'") && e.getMessage().contains("idle"), e.getMessage());
    }

    @Test
    void idlePutsTheThreadsUnderSchedIdleKeepingTheirNiceValuesAndGivesEachItsPolicyBack() {
        FakeThreads os = new FakeThreads().with(1, 0).with(2, CompilerThreadControl.SCHED_BATCH, 4).with(3, IDLE, 0);
        JitPriorityWindow w = new JitPriorityWindow(os, JitPriority.IDLE);
        JitPriorityWindow.Lease lease = w.open();
        assertTrue(lease.lowered());
        assertEquals("2 JIT compiler thread(s) at SCHED_IDLE (1 already there)", lease.describe());
        assertEquals(Map.of(1, new CompilerThreadControl.Priority(IDLE, 0), 2, new CompilerThreadControl.Priority(IDLE, 4),
                3, new CompilerThreadControl.Priority(IDLE, 0)), os.priorities());
        lease.close();
        assertEquals(Map.of(1, new CompilerThreadControl.Priority(OTHER, 0),
                2, new CompilerThreadControl.Priority(CompilerThreadControl.SCHED_BATCH, 4),
                3, new CompilerThreadControl.Priority(IDLE, 0)), os.priorities(), "each its own policy, nice untouched");
    }

    @Test
    void underIdleAThreadStartedMeanwhileGetsTheOthersPolicyAndKeepsItsNiceValue() {
        FakeThreads os = new FakeThreads().with(1, 2).with(2, 0);
        JitPriorityWindow w = new JitPriorityWindow(os, JitPriority.IDLE);
        JitPriorityWindow.Lease lease = w.open();
        synchronized (os) {
            os.with(3, IDLE, 2);    // started by thread 1 while idle: inherited SCHED_IDLE and nice 2
            os.with(4, 7);          // a thread at nice 7, not idle: not the window's
        }
        lease.close();
        assertEquals(Map.of(1, new CompilerThreadControl.Priority(OTHER, 2), 2, new CompilerThreadControl.Priority(OTHER, 0),
                3, new CompilerThreadControl.Priority(OTHER, 2), 4, new CompilerThreadControl.Priority(OTHER, 7)),
                os.priorities());
    }

    @Test
    void aThreadUnderARealTimePolicyIsLeftAloneAndTheLeaseSaysSo() {
        FakeThreads os = new FakeThreads().with(1, 0).with(2, 1 /* SCHED_FIFO */, 0);
        JitPriorityWindow.Lease lease = new JitPriorityWindow(os, JitPriority.IDLE).open();
        assertEquals("1 JIT compiler thread(s) at SCHED_IDLE; 1 under a real-time policy left alone", lease.describe());
        assertEquals(new CompilerThreadControl.Priority(1, 0), os.priorities().get(2));
        lease.close();
        assertEquals(List.of("1=SCHED_IDLE (nice 0)", "1=nice 0"), os.calls);
    }

    @Test
    void aRefusalUnderIdleUndoesWhatWasDone() {
        FakeThreads os = new FakeThreads().with(1, 0).with(2, 0);
        os.refuse.add(2);
        JitPriorityWindow.Lease lease = new JitPriorityWindow(os, JitPriority.IDLE).open();
        assertFalse(lease.lowered());
        assertTrue(lease.describe().contains("(thread 2) was refused") && lease.describe().contains("EACCES"),
                lease.describe());
        assertEquals(Map.of(1, new CompilerThreadControl.Priority(OTHER, 0), 2, new CompilerThreadControl.Priority(OTHER, 0)),
                os.priorities(), "all or nothing");
    }

    @Test
    void closeAfterReleasesOnceTheFutureCompletedOrFailedOrAtTheLatestAfterTheBound() throws InterruptedException {
        FakeThreads os = new FakeThreads().with(1, 0);
        JitPriorityWindow w = new JitPriorityWindow(os, NICE_19);

        java.util.concurrent.ScheduledExecutorService on = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        try {
            CompletableFuture<String> done = new CompletableFuture<>();
            w.open().closeAfter(done, Duration.ofMillis(10), Duration.ofMinutes(5), on);
            assertEquals(19, os.niceValues().get(1));
            done.complete("migrated");
            awaitOpenLeases(w, 0);
            assertEquals(0, os.niceValues().get(1));

            CompletableFuture<String> failed = new CompletableFuture<>();
            w.open().closeAfter(failed, Duration.ofMinutes(5), Duration.ofMinutes(5), on);
            failed.completeExceptionally(new IllegalStateException("cancelled"));
            awaitOpenLeases(w, 0);

            w.open().closeAfter(new CompletableFuture<>(), Duration.ofMinutes(5), Duration.ofMillis(20), on);
            awaitOpenLeases(w, 0);   // the migration never completes: released at the bound
            assertEquals(0, os.niceValues().get(1));
        } finally {
            on.shutdownNow();
        }
    }

    /** Where this machine cannot lower them: the lease says why and no compiler thread changed. */
    private static <V> void assertLeftAloneWithTheReason(LinuxCompilerThreads os, JitPriorityWindow.Lease lease,
                                                         Map<Integer, V> before, Map<Integer, V> during) {
        assertFalse(lease.lowered());
        assertTrue(lease.describe().contains(os.unavailable().get()), lease.describe());
        assertEquals(before, during, "nothing lowered");
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void onLinuxTheCompilerThreadsAreLoweredAndRaisedBackOrLeftAloneWithAReason() {
        LinuxCompilerThreads os = new LinuxCompilerThreads();
        Map<Integer, Integer> before = niceByTid(os);
        JitPriorityWindow w = new JitPriorityWindow(os, NICE_19);
        JitPriorityWindow.Lease lease = w.open();
        Map<Integer, Integer> during = niceByTid(os);
        lease.close();
        Map<Integer, Integer> after = niceByTid(os);
        if (os.unavailable().isPresent()) {
            assertLeftAloneWithTheReason(os, lease, before, during);
        } else {
            assertTrue(lease.lowered(), lease.describe());
            for (Map.Entry<Integer, Integer> e : during.entrySet()) {
                assertEquals(19, e.getValue(), "compiler thread " + e.getKey() + " while the lease is open");
            }
            for (Map.Entry<Integer, Integer> e : after.entrySet()) {
                Integer own = before.get(e.getKey());
                if (own != null) {
                    assertEquals(own, e.getValue(), "compiler thread " + e.getKey() + " after the lease");
                }
            }
        }
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void onLinuxIdlePutsTheCompilerThreadsUnderSchedIdleAndBackOrLeavesThemAloneWithAReason() {
        LinuxCompilerThreads os = new LinuxCompilerThreads(JitPriority.IDLE);
        Map<Integer, CompilerThreadControl.Priority> before = priorityByTid(os);
        JitPriorityWindow.Lease lease = new JitPriorityWindow(os, JitPriority.IDLE).open();
        Map<Integer, CompilerThreadControl.Priority> during = priorityByTid(os);
        lease.close();
        Map<Integer, CompilerThreadControl.Priority> after = priorityByTid(os);
        if (os.unavailable().isPresent()) {
            assertLeftAloneWithTheReason(os, lease, before, during);
        } else {
            assertTrue(lease.lowered(), lease.describe());
            for (Map.Entry<Integer, CompilerThreadControl.Priority> e : during.entrySet()) {
                assertEquals(IDLE, e.getValue().policy(), "compiler thread " + e.getKey() + " while the lease is open");
                CompilerThreadControl.Priority own = before.get(e.getKey());
                if (own != null) {
                    assertEquals(own.nice(), e.getValue().nice(), "SCHED_IDLE keeps the nice value");
                }
            }
            for (Map.Entry<Integer, CompilerThreadControl.Priority> e : after.entrySet()) {
                CompilerThreadControl.Priority own = before.get(e.getKey());
                if (own != null) {
                    assertEquals(own, e.getValue(), "compiler thread " + e.getKey() + " after the lease");
                }
            }
        }
    }

    private static Map<Integer, Integer> niceByTid(LinuxCompilerThreads os) {
        Map<Integer, Integer> m = new HashMap<>();
        priorityByTid(os).forEach((tid, p) -> m.put(tid, p.nice()));
        return m;
    }

    private static Map<Integer, CompilerThreadControl.Priority> priorityByTid(LinuxCompilerThreads os) {
        Map<Integer, CompilerThreadControl.Priority> m = new HashMap<>();
        for (CompilerThreadControl.CompilerThread t : os.compilerThreads()) {
            m.put(t.tid(), t.priority());
        }
        return m;
    }

    private static void awaitOpenLeases(JitPriorityWindow w, int n) {
        Await.until(() -> n + " open lease(s), not " + w.openLeases(), Await.BOUND, () -> w.openLeases() == n);
    }
}
