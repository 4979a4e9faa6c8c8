package dev.atlas.patch.format;

/** A patch file that cannot be read: names the entry and what was expected there. */
public final class MalformedPatchException extends Exception {
    private static final long serialVersionUID = 1L;

    public MalformedPatchException(String message) {
        super(message);
    }

    public MalformedPatchException(String message, Throwable cause) {
        super(message, cause);
    }
}
