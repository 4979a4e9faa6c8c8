package dev.atlas.patch.jit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class LinuxCompilerThreadsTest {

    /**
     * A stat line of a thread whose name holds a space and a ')'; field 19 (nice) is 7, field
     * 41 (policy) is 5 (SCHED_IDLE).
     */
    static final String STAT = "4242 (C2 Compil) x) S 1 4240 4240 0 -1 4194368 100 0 0 0 250 30 0 0 20 7 1 0 15 0 0"
            + " 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 5 0 0 0";

    @Test
    void theNameIsBetweenTheFirstOpeningAndTheLastClosingParenthesis() {
        assertEquals("C2 Compil) x", LinuxCompilerThreads.statName(STAT));
        assertNull(LinuxCompilerThreads.statName("no parentheses here"));
    }

    @Test
    void theNiceValueIsField19AndThePolicyField41CountedAfterTheName() {
        assertEquals(new CompilerThreadControl.Priority(CompilerThreadControl.SCHED_IDLE, 7),
                LinuxCompilerThreads.statPriority(STAT));
        assertEquals(-5, LinuxCompilerThreads.statField("1 (a) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 15 -5 1 0", 19));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LinuxCompilerThreads.statField("1 (a) S 1 1", 19));
        assertTrue(e.getMessage().contains("expected at least 19"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> LinuxCompilerThreads.statPriority("1 (a) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 15 -5 1 0"));
        assertTrue(e.getMessage().contains("expected at least 41"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LinuxCompilerThreads.statField("no name", 19));
    }

    @Test
    void compilerThreadsAreKnownByTheirNamesAsTheOsCutsThem() {
        for (String n : List.of("C1 CompilerThre", "C2 CompilerThre", "JVMCI CompilerT", "JIT Compilation")) {
            assertTrue(LinuxCompilerThreads.isCompilerThread(n), n);
        }
        for (String n : List.of("main", "GC Thread#0", "VM Thread", "C2 Compiler", "demo-worker-1")) {
            assertFalse(LinuxCompilerThreads.isCompilerThread(n), n);
        }
    }

    @Test
    void theEnvironmentProblemNamesWhatIsMissing() {
        assertTrue(LinuxCompilerThreads.environmentProblem("Mac OS X", true, true).contains("Mac OS X"));
        assertTrue(LinuxCompilerThreads.environmentProblem("Linux", false, true).contains("/proc/self/task"));
        assertTrue(LinuxCompilerThreads.environmentProblem("Linux", true, false)
                .contains("--enable-native-access=ALL-UNNAMED"));
        assertNull(LinuxCompilerThreads.environmentProblem("Linux", true, true));
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void findsThisJvmsCompilerThreads() {
        List<CompilerThreadControl.CompilerThread> threads = new LinuxCompilerThreads().compilerThreads();
        assertFalse(threads.isEmpty(), "a JVM with a JIT has compiler threads");
        Set<Integer> tids = new HashSet<>();
        for (CompilerThreadControl.CompilerThread t : threads) {
            assertTrue(LinuxCompilerThreads.isCompilerThread(t.name()), t.name());
            assertTrue(tids.add(t.tid()), "thread ids are distinct: " + threads);
            assertTrue(t.priority().nice() >= -20 && t.priority().nice() <= 19, t.toString());
            assertTrue(t.priority().policy() >= 0 && t.priority().policy() <= 7, t.toString());
        }
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void listsCompilerThreadsWhileOtherThreadsStartAndExit() throws InterruptedException {
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread churn = Thread.ofPlatform().name("churn").start(() -> {
            while (!stop.get()) {
                try {
                    Thread.ofPlatform().start(() -> { }).join();
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        try {
            LinuxCompilerThreads control = new LinuxCompilerThreads();
            for (int i = 0; i < 2_000; i++) {
                assertFalse(control.compilerThreads().isEmpty(), "a listing with threads exiting meanwhile");
            }
        } finally {
            stop.set(true);
            churn.join();
        }
    }
}
