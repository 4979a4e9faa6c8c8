package dev.atlas.demo.service;

/** A request the service cannot serve as asked; answered with {@code 400} or {@code 404} and the message. */
public final class BadRequestException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;

    public BadRequestException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** The HTTP status to answer with. */
    public int status() {
        return status;
    }
}
