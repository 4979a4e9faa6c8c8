package dev.atlas.demo.load;

import java.util.concurrent.CompletableFuture;

/**
 * Sends request number {@code sequence} without waiting for the answer. Called from the
 * generator's one scheduling thread; the returned future may complete on any thread, and
 * completes exceptionally if the request fails (no connection, I/O error, timeout).
 */
@FunctionalInterface
public interface RequestSender {
    CompletableFuture<Response> send(long sequence);
}
