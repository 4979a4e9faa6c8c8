package dev.atlas.ulp;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds the platform threads of a program: the live threads whose context class loader is
 * the program's loader (its threads, and the threads they create, inherit it).
 *
 * <p>Thread safety: stateless.
 *
 * <p>Implementation notes: the JDK enumerates platform threads through the root thread
 * group; virtual threads are not enumerable, so a program's own virtual threads are found
 * only while they call into its {@code System}. They are daemon threads anyway: a JVM never
 * waits for them either.
 */
final class ProgramThreads {
    private ProgramThreads() {
    }

    static List<Thread> platformThreadsOf(ClassLoader loader) {
        ThreadGroup root = rootGroup();
        Thread[] all;
        int n;
        do {
            all = new Thread[root.activeCount() * 2 + 16];
            n = root.enumerate(all, true);
        } while (n == all.length);
        List<Thread> mine = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Thread t = all[i];
            if (t.isAlive() && t.getContextClassLoader() == loader) {
                mine.add(t);
            }
        }
        return mine;
    }

    /** A live non-daemon platform thread of the program other than {@code except}, or null. */
    static Thread liveNonDaemon(ClassLoader loader, Thread except) {
        for (Thread t : platformThreadsOf(loader)) {
            if (!t.isDaemon() && t != except) {
                return t;
            }
        }
        return null;
    }

    private static ThreadGroup rootGroup() {
        ThreadGroup g = Thread.currentThread().getThreadGroup();
        while (g.getParent() != null) {
            g = g.getParent();
        }
        return g;
    }
}
