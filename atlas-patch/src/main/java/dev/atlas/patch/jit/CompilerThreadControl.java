package dev.atlas.patch.jit;

import java.util.List;
import java.util.Optional;

/**
 * What {@link JitPriorityWindow} needs from the operating system: the JVM's JIT compiler
 * threads with their nice values, and a way to change one thread's nice value. The real
 * one is {@link LinuxCompilerThreads}; tests give a fake.
 *
 * <p>Threading: called only under the window's lock.
 */
interface CompilerThreadControl {

    /** One compiler thread: its OS thread id, its name (as the OS knows it), its nice value. */
    record CompilerThread(int tid, String name, int nice) {}

    /** Why this process cannot lower its compiler threads and raise them back, or empty if it can. */
    Optional<String> unavailable();

    /** The JIT compiler threads alive now. */
    List<CompilerThread> compilerThreads();

    /**
     * Sets the nice value of thread {@code tid}.
     *
     * @return false if the thread no longer exists
     * @throws IllegalStateException naming the thread, the value and the OS error, if refused
     */
    boolean setNice(int tid, int nice);
}
