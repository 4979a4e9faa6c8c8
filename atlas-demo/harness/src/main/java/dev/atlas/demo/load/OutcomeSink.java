package dev.atlas.demo.load;

/**
 * Receives the outcome of each request the {@link OpenLoop} sends, keyed by the request's
 * intended send time. Called concurrently from the threads that complete requests.
 */
public interface OutcomeSink {
    /** A request due at {@code intendedNanos} got a 2xx answer at {@code completedNanos}. */
    void success(long intendedNanos, long completedNanos, TagKind tag);

    /** A request due at {@code intendedNanos} failed (no connection, I/O error, timeout, non-2xx status). */
    void failure(long intendedNanos);
}
