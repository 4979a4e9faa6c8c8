package dev.atlas.patch.jit;

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

    /** Compiler threads in a map (tid -> nice); refuses the tids in {@code refuse}; a tid in {@code gone} has exited. */
    static final class FakeThreads implements CompilerThreadControl {
        final Map<Integer, Integer> nice = new LinkedHashMap<>();
        final Set<Integer> refuse = new HashSet<>();
        final Set<Integer> gone = new HashSet<>();
        final List<String> calls = new ArrayList<>();
        String unavailable;

        FakeThreads with(int tid, int n) {
            nice.put(tid, n);
            return this;
        }

        @Override
        public Optional<String> unavailable() {
            return Optional.ofNullable(unavailable);
        }

        @Override
        public synchronized List<CompilerThread> compilerThreads() {
            List<CompilerThread> l = new ArrayList<>();
            nice.forEach((tid, n) -> l.add(new CompilerThread(tid, "C2 CompilerThre", n)));
            return l;
        }

        @Override
        public synchronized boolean setNice(int tid, int n) {
            calls.add(tid + "=" + n);
            if (refuse.contains(tid)) {
                throw new IllegalStateException("setpriority(PRIO_PROCESS, " + tid + ", " + n + ") failed: EACCES");
            }
            if (gone.contains(tid)) {
                return false;
            }
            nice.put(tid, n);
            return true;
        }

        synchronized Map<Integer, Integer> snapshot() {
            return new HashMap<>(nice);
        }
    }

    @Test
    void aLeaseLowersTheThreadsBelowItsValueAndClosingGivesEachItsOwnValueBack() {
        FakeThreads os = new FakeThreads().with(1, 0).with(2, -2).with(3, 19);
        JitPriorityWindow w = new JitPriorityWindow(os, 19);
        JitPriorityWindow.Lease lease = w.open();
        assertTrue(lease.lowered());
        assertEquals(Map.of(1, 19, 2, 19, 3, 19), os.snapshot());
        assertEquals("2 JIT compiler thread(s) at nice 19 (1 already there)", lease.describe());
        assertEquals(List.of("1=19", "2=19"), os.calls, "a thread already at the value is not touched");
        lease.close();
        assertEquals(Map.of(1, 0, 2, -2, 3, 19), os.snapshot());
        assertEquals(0, w.openLeases());
    }

    @Test
    void leasesNestAndOnlyTheLastOneClosedRaisesTheThreadsBack() {
        FakeThreads os = new FakeThreads().with(1, 0);
        JitPriorityWindow w = new JitPriorityWindow(os, 15);
        JitPriorityWindow.Lease first = w.open();
        JitPriorityWindow.Lease second = w.open();
        assertTrue(second.lowered());
        assertEquals(first.describe(), second.describe(), "a nested lease says what the window does");
        assertEquals(2, w.openLeases());
        first.close();
        first.close();   // idempotent: must not release the second lease's hold
        assertEquals(1, w.openLeases());
        assertEquals(15, os.snapshot().get(1), "still lowered while a lease is open");
        second.close();
        assertEquals(0, os.snapshot().get(1));
        assertEquals(0, w.openLeases());
    }

    @Test
    void aCompilerThreadStartedWhileLoweredGetsTheLowestOriginalValueAndOthersAreLeftAlone() {
        FakeThreads os = new FakeThreads().with(1, 2).with(2, 0);
        JitPriorityWindow w = new JitPriorityWindow(os, 19);
        JitPriorityWindow.Lease lease = w.open();
        synchronized (os) {
            os.nice.put(3, 19);   // started by a lowered compiler thread: inherited 19
            os.nice.put(4, 5);    // some thread the user set to 5 on purpose
            os.nice.remove(2);    // exited meanwhile
        }
        lease.close();
        assertEquals(Map.of(1, 2, 3, 0, 4, 5), os.snapshot());
    }

    @Test
    void aRefusalWhileLoweringUndoesWhatWasDoneAndTheLeaseSaysWhy() {
        FakeThreads os = new FakeThreads().with(1, 0).with(2, 3).with(3, 0);
        os.refuse.add(3);
        JitPriorityWindow w = new JitPriorityWindow(os, 19);
        JitPriorityWindow.Lease lease = w.open();
        assertFalse(lease.lowered());
        assertTrue(lease.describe().startsWith("JIT compiler threads left at their priority: lowering C2 CompilerThre "
                + "(thread 3) was refused"), lease.describe());
        assertTrue(lease.describe().contains("EACCES"), lease.describe());
        assertEquals(Map.of(1, 0, 2, 3, 3, 0), os.snapshot(), "all or nothing");
        assertEquals(0, w.openLeases());
        lease.close();
        assertEquals(Map.of(1, 0, 2, 3, 3, 0), os.snapshot());
    }

    @Test
    void aThreadThatExitedBeforeItCouldBeLoweredIsSkipped() {
        FakeThreads os = new FakeThreads().with(1, 0).with(2, 0);
        os.gone.add(2);
        JitPriorityWindow w = new JitPriorityWindow(os, 10);
        JitPriorityWindow.Lease lease = w.open();
        assertTrue(lease.lowered());
        assertEquals("1 JIT compiler thread(s) at nice 10", lease.describe());
        lease.close();
        assertEquals(0, os.snapshot().get(1));
    }

    @Test
    void whereThePriorityCouldNotBeRaisedBackNothingIsLowered() {
        FakeThreads os = new FakeThreads().with(1, 0);
        os.unavailable = "this process may lower a thread's priority but not raise it back (EPERM)";
        JitPriorityWindow.Lease lease = new JitPriorityWindow(os, 19).open();
        assertFalse(lease.lowered());
        assertEquals("JIT compiler threads left at their priority: " + os.unavailable, lease.describe());
        assertEquals(List.of(), os.calls);
    }

    @Test
    void theWindowThatIsOffChangesNothingAndSaysSo() {
        JitPriorityWindow w = JitPriorityWindow.off();
        assertEquals(0, w.nice());
        assertTrue(w.unavailable().orElseThrow().contains("jitNice=0"));
        JitPriorityWindow.Lease lease = w.open();
        assertFalse(lease.lowered());
        assertTrue(lease.describe().contains("jitNice=0"), lease.describe());
        assertSame(JitPriorityWindow.off().getClass(), JitPriorityWindow.forThisJvm(0).getClass());
        assertTrue(JitPriorityWindow.forThisJvm(0).unavailable().isPresent());
    }

    @Test
    void aNiceValueOutOfRangeIsRefusedNamingIt() {
        for (int bad : new int[] {-1, 20, 40}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JitPriorityWindow.forThisJvm(bad));
            assertTrue(e.getMessage().contains("is " + bad) && e.getMessage().contains("19"), e.getMessage());
        }
    }

    @Test
    void closeAfterReleasesOnceTheFutureCompletedOrFailedOrAtTheLatestAfterTheBound() throws InterruptedException {
        FakeThreads os = new FakeThreads().with(1, 0);
        JitPriorityWindow w = new JitPriorityWindow(os, 19);

        CompletableFuture<String> done = new CompletableFuture<>();
        w.open().closeAfter(done, Duration.ofMillis(10), Duration.ofMinutes(5));
        assertEquals(19, os.snapshot().get(1));
        done.complete("migrated");
        awaitOpenLeases(w, 0);
        assertEquals(0, os.snapshot().get(1));

        CompletableFuture<String> failed = new CompletableFuture<>();
        w.open().closeAfter(failed, Duration.ofMinutes(5), Duration.ofMinutes(5));
        failed.completeExceptionally(new IllegalStateException("cancelled"));
        awaitOpenLeases(w, 0);

        w.open().closeAfter(new CompletableFuture<>(), Duration.ofMinutes(5), Duration.ofMillis(20));
        awaitOpenLeases(w, 0);   // the migration never completes: released at the bound
        assertEquals(0, os.snapshot().get(1));
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void onLinuxTheCompilerThreadsAreLoweredAndRaisedBackOrLeftAloneWithAReason() {
        LinuxCompilerThreads os = new LinuxCompilerThreads();
        Map<Integer, Integer> before = niceByTid(os);
        JitPriorityWindow w = new JitPriorityWindow(os, 19);
        JitPriorityWindow.Lease lease = w.open();
        Map<Integer, Integer> during = niceByTid(os);
        lease.close();
        Map<Integer, Integer> after = niceByTid(os);
        if (os.unavailable().isPresent()) {
            assertFalse(lease.lowered());
            assertTrue(lease.describe().contains(os.unavailable().get()), lease.describe());
            assertEquals(before, during, "nothing lowered");
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

    private static Map<Integer, Integer> niceByTid(LinuxCompilerThreads os) {
        Map<Integer, Integer> m = new HashMap<>();
        for (CompilerThreadControl.CompilerThread t : os.compilerThreads()) {
            m.put(t.tid(), t.nice());
        }
        return m;
    }

    private static void awaitOpenLeases(JitPriorityWindow w, int n) throws InterruptedException {
        for (int i = 0; i < 6000 && w.openLeases() != n; i++) {
            Thread.sleep(10);
        }
        assertEquals(n, w.openLeases());
    }
}
