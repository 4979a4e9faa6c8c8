package dev.atlas.core;

/**
 * A stretch of work that runs entirely in one view. Opened with {@link ViewSpace#enter()}
 * and closed with try-with-resources on the same thread; while any scope is open on a
 * thread, the thread never changes view (its quiescence points are ignored), so a request
 * handled in one scope sees all-old or all-new, never a mix.
 *
 * {@snippet class=dev.atlas.core.snippets.CoreSnippets region=view-scope}
 *
 * <p>A <em>request scope</em> ({@link ViewSpace#enterRequest()}) is a scope that also marks
 * the request boundary: opening the outermost one is a quiescence point, and closing it
 * detaches the thread until its next request, so that a migration never waits for a thread
 * that is between requests.
 *
 * <p>Threading contract: confined to the thread that opened it. Scopes nest and must be
 * closed in reverse order of opening.
 */
public final class ViewScope implements AutoCloseable {
    /*
     * Implementation notes: entering reads the thread's binding from a ThreadLocal and its
     * current view with a plain read, and increments a depth counter owned by the thread:
     * no lock, no CAS, no write to a shared cache line. The scope object itself is small and
     * short-lived; with try-with-resources C2's escape analysis removes it (measured in
     * atlas-bench with -prof gc: zero bytes per operation).
     */
    private final ThreadBinding binding;
    private final View view;
    private final int depth;
    private final boolean detachOnClose;
    private boolean closed;

    ViewScope(ThreadBinding binding, View view, int depth, boolean detachOnClose) {
        this.binding = binding;
        this.view = view;
        this.depth = depth;
        this.detachOnClose = detachOnClose;
    }

    /** The view this scope runs in. */
    public View view() {
        return view;
    }

    /**
     * Closes the scope.
     *
     * @throws WrongThreadException  if called from another thread than the one that opened it
     * @throws IllegalStateException if already closed, or if an inner scope is still open
     */
    @Override
    public void close() {
        final ThreadBinding b = binding;
        if (Thread.currentThread() != b.thread) {
            throw new WrongThreadException("scope of view " + view.describe() + " was opened by thread '"
                    + b.thread.getName() + "' and cannot be closed by '" + Thread.currentThread().getName() + "'");
        }
        if (closed || b.depth != depth) {
            throw closeError(b);
        }
        closed = true;
        b.depth = depth - 1;
        if (detachOnClose) {
            b.enterIdle();   // outermost request scope: the thread holds no view until its next one
        }
    }

    private IllegalStateException closeError(ThreadBinding b) {
        if (closed) {
            return new IllegalStateException("scope of view " + view.describe() + " is already closed");
        }
        return new IllegalStateException("scope of view " + view.describe() + " at depth " + depth
                + " closed while " + (b.depth - depth) + " inner scope(s) are still open; close scopes in reverse order");
    }
}
