package dev.atlas.ulp;

import java.io.Serial;

/**
 * A program could not be started: its jar is missing or has no {@code Main-Class}, its main
 * class is missing or has no main method. The message is what {@code java} would print (so
 * {@code atlas run} prints the same), and {@link #exitCode()} its exit code. Nothing was
 * started and the host is unchanged.
 */
public final class LaunchException extends Exception {
    @Serial
    private static final long serialVersionUID = 1L;

    /** A launch failure with {@code java}'s message for it. */
    public LaunchException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The exit code {@code java} ends with in this case (1). */
    public int exitCode() {
        return 1;
    }
}
