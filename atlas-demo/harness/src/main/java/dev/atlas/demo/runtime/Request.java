package dev.atlas.demo.runtime;

import dev.atlas.core.ViewScope;
import dev.atlas.core.ViewSpace;

/**
 * One request: in a single scope, step1 of the thread's handler, the request's work, then
 * step2; it records which version each step came from.
 *
 * <p>step1 is taken from the scope's view when the scope opens; step2 from the thread's
 * current view, read again after the work ({@link ViewSpace#current()}). The runtime
 * promises a thread never changes view inside a scope, so the two are always the same
 * version; if a migration ever moved a thread mid-request, step2 would come from the new
 * view and the request would count as MIXED.
 */
final class Request {
    /** The middle of a request: CPU work, or a slow call that blocks. */
    @FunctionalInterface
    interface Body {
        int apply(int x) throws InterruptedException;
    }

    private Request() {
    }

    /**
     * Runs one request and records it in {@code log}.
     *
     * @param startNanos when the request should have started (its latency counts from here)
     */
    static void run(ViewSpace space, Body body, int input, long startNanos, RequestLog log) throws InterruptedException {
        Handler first;
        Handler second;
        int result;
        try (ViewScope scope = space.enter()) {
            first = scope.view().get(Handler.KEY);
            int x = first.step1().applyAsInt(input);
            x = body.apply(x);
            second = space.current().get(Handler.KEY);
            result = second.step2().applyAsInt(x);
        }
        long end = System.nanoTime();
        log.record(end, end - startNanos, RequestOutcome.of(first, second), Handler.validResult(result));
    }
}
