package dev.atlas.memory.snapshot;

import java.io.Serial;

/** The writers could not be stopped for a cut (e.g. a writer never reached a quiescence point). */
public final class SnapshotCutException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    SnapshotCutException(String message, Throwable cause) {
        super(message, cause);
    }
}
