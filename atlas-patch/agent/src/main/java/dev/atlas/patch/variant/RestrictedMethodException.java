package dev.atlas.patch.variant;

/** Thrown by a method that the calling thread's view restricts. */
public class RestrictedMethodException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RestrictedMethodException(String message) {
        super(message);
    }
}
