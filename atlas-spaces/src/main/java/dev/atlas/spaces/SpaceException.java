package dev.atlas.spaces;

/**
 * A space operation was refused; the message names the space, the value and what was
 * expected, and {@link #reason()} classifies it. Nothing was changed.
 */
public final class SpaceException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why an operation was refused. */
    public enum Reason {
        /** The name is taken. */ EXISTS,
        /** No space of that name. */ NOT_FOUND,
        /** The name is not a valid space name. */ BAD_NAME,
        /** The space's owner and mode do not grant the access asked for. */ ACCESS_DENIED,
        /** The space was written by another format version. */ VERSION,
        /** The header is damaged or not a space's. */ DAMAGED,
        /** A segment's fixed address is already mapped in this process. */ ADDRESS_TAKEN,
        /** A write through a read-only attachment. */ READ_ONLY,
        /** A root of another type, or missing. */ ROOT,
        /** Other processes are attached. */ BUSY
    }

    private final Reason reason;

    public SpaceException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public SpaceException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
