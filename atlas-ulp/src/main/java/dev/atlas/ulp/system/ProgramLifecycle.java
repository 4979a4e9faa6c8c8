package dev.atlas.ulp.system;

/**
 * What a program's {@code System} asks of the host that runs it. Called on program threads;
 * implementations must be thread-safe.
 */
public interface ProgramLifecycle {
    /**
     * Ends the program with {@code status} ({@code System.exit}/{@code Runtime.exit}:
     * {@code runHooks} true; {@code Runtime.halt}: false). Only the first call of a program
     * counts; it returns once the program has ended (hooks run, streams flushed, threads
     * interrupted), and the caller then throws {@link ProgramExitSignal}.
     */
    void exit(int status, boolean runHooks);

    /** A platform thread of the program's own, for blocking calls (the bi-level coupling). */
    java.util.concurrent.Executor kernelContext();
}
