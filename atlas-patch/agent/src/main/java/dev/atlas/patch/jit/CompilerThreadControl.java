package dev.atlas.patch.jit;

import java.util.List;
import java.util.Optional;

/**
 * What {@link JitPriorityWindow} needs from the operating system: the JVM's JIT compiler
 * threads with their scheduling policy and nice value, and a way to change one thread's.
 * The real one is {@link LinuxCompilerThreads}; tests give a fake.
 *
 * <p>Threading: called only under the window's lock.
 */
interface CompilerThreadControl {

    /** Linux's default time-sharing policy ({@code sched(7)}). */
    int SCHED_OTHER = 0;
    /** Linux's batch policy: time-sharing, no wake-up preemption bonus. */
    int SCHED_BATCH = 3;
    /** Linux's idle policy: runs only where no other thread wants the core. */
    int SCHED_IDLE = 5;

    /**
     * A thread's scheduling: its policy ({@code SCHED_*}, as in {@code /proc/<tid>/stat}
     * field 41) and its nice value (field 19).
     */
    record Priority(int policy, int nice) {
        /** Whether the policy is one of the time-sharing ones a window may change and give back. */
        boolean isTimeSharing() {
            return policy == SCHED_OTHER || policy == SCHED_BATCH || policy == SCHED_IDLE;
        }

        @Override
        public String toString() {
            return switch (policy) {
                case SCHED_OTHER -> "nice " + nice;
                case SCHED_BATCH -> "SCHED_BATCH, nice " + nice;
                case SCHED_IDLE -> "SCHED_IDLE (nice " + nice + ")";
                default -> "policy " + policy + ", nice " + nice;
            };
        }
    }

    /** One compiler thread: its OS thread id, its name (as the OS knows it), its scheduling. */
    record CompilerThread(int tid, String name, Priority priority) {}

    /** Why this process cannot lower its compiler threads and raise them back, or empty if it can. */
    Optional<String> unavailable();

    /** The JIT compiler threads alive now. */
    List<CompilerThread> compilerThreads();

    /**
     * Changes thread {@code tid} from {@code from} to {@code to}: its policy if the two
     * differ, then its nice value if they differ.
     *
     * @return false if the thread no longer exists
     * @throws IllegalStateException naming the thread, the values and the OS error, if refused
     */
    boolean set(int tid, Priority from, Priority to);
}
