package dev.atlas.patch.format;

/** A patch whose signature is missing, does not match its content, or comes from an untrusted key. */
public final class PatchSignatureException extends Exception {
    private static final long serialVersionUID = 1L;

    public PatchSignatureException(String message) {
        super(message);
    }

    public PatchSignatureException(String message, Throwable cause) {
        super(message, cause);
    }
}
