package dev.atlas.cli.patch;

/** A command that cannot be done; the message says why and what to do. Exit code 1. */
final class CliFailure extends Exception {
    private static final long serialVersionUID = 1L;

    CliFailure(String message) {
        super(message);
    }

    CliFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
