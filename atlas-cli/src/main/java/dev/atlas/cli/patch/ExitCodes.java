package dev.atlas.cli.patch;

/**
 * Exit codes of the patch, status and attach commands.
 *
 * <pre>
 *   0  done
 *   1  refused or failed: nothing changed in the target (no such process, not a JVM, another
 *      user's JVM, attach disabled, malformed or unsigned patch, patch built for other class
 *      versions...), or an unexpected failure (the message says what is known)
 *   2  usage: a bad command line (picocli)
 *   3  timeout: the patch (or rollback) is in effect, but some threads had not reached a
 *      quiescence point in time; they move when they do (the message names them, with stacks)
 * </pre>
 */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;
    public static final int TIMEOUT = 3;

    /** For picocli's {@code exitCodeList}. */
    static final String[] LIST = {
        "0:done",
        "1:refused or failed; nothing changed in the target (see the message)",
        "2:usage error",
        "3:timeout: in effect, but some threads have not moved yet (named, with stacks)"};

    private ExitCodes() {}
}
