package dev.atlas.patch.runtime;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.Locale;

/**
 * What preparing a patch cost the serving JVM: wall time, the preparing thread's CPU time,
 * and the JIT compilation time the whole JVM accumulated meanwhile. Reported by
 * {@code atlas patch apply} ({@code prepare-ms}, {@code prepare-cpu-ms},
 * {@code prepare-jit-ms}).
 *
 * <p>Why the JIT column: preparation runs code that is cold in a serving JVM (the class-file
 * API, method-handle machinery); measured in the patch demo, the compilations it causes
 * cost the machine more than the preparing thread itself (about 50 ms of CPU against 75–290
 * ms of compilation), and on a small machine both compete with the application's requests.
 *
 * @param elapsed wall time of the preparation
 * @param cpu     the preparing thread's CPU time, or null if the JVM cannot measure it
 * @param jit     JIT compilation time of the whole JVM meanwhile (all compiler threads,
 *                the application's compilations included), or null if the JVM does not report it
 */
public record PreparationCost(Duration elapsed, Duration cpu, Duration jit) {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();

    /** E.g. {@code 86.4 ms (47.9 ms CPU, 132.0 ms JIT compilation in the JVM meanwhile)}. */
    public String describe() {
        return ms(elapsed) + " (" + (cpu == null ? "CPU time not measured" : ms(cpu) + " CPU")
                + (jit == null ? "" : ", " + ms(jit) + " JIT compilation in the JVM meanwhile") + ")";
    }

    /** Starts measuring on the calling thread. */
    public static Meter start() {
        return new Meter();
    }

    private static String ms(Duration d) {
        return String.format(Locale.ROOT, "%.1f ms", d.toNanos() / 1e6);
    }

    /** A measurement in progress; confined to the thread that started it (it reads that thread's CPU clock). */
    public static final class Meter {
        private final boolean cpuClock = THREADS.isCurrentThreadCpuTimeSupported() && THREADS.isThreadCpuTimeEnabled();
        private final boolean jitClock = JIT != null && JIT.isCompilationTimeMonitoringSupported();
        private final long wall0 = System.nanoTime();
        private final long cpu0 = cpuClock ? THREADS.getCurrentThreadCpuTime() : 0L;
        private final long jit0 = jitClock ? JIT.getTotalCompilationTime() : 0L;

        public PreparationCost stop() {
            return new PreparationCost(Duration.ofNanos(System.nanoTime() - wall0),
                    cpuClock ? Duration.ofNanos(THREADS.getCurrentThreadCpuTime() - cpu0) : null,
                    jitClock ? Duration.ofMillis(JIT.getTotalCompilationTime() - jit0) : null);
        }
    }
}
