package dev.atlas.ulp.system;

import java.io.Serial;

/**
 * Thrown on a program's thread by its {@code System.exit}, {@code Runtime.exit} or
 * {@code Runtime.halt} (rewritten call sites), after the program's exit has been recorded:
 * it unwinds the calling thread, which a real {@code exit} would never return to. The
 * program has already ended when it is thrown, so a program that catches it changes nothing
 * but its own thread's fate.
 */
public final class ProgramExitSignal extends Error {
    @Serial
    private static final long serialVersionUID = 1L;

    private final int status;

    /** A signal for exit status {@code status}. */
    public ProgramExitSignal(int status) {
        super("program exit " + status, null, false, false);
        this.status = status;
    }

    /** The status the program exited with (the first exit's, if several threads exited). */
    public int status() {
        return status;
    }
}
