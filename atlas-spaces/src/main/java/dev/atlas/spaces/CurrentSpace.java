package dev.atlas.spaces;

import java.util.NoSuchElementException;
import java.util.concurrent.Callable;

/**
 * The space a thread is in: a thread switches into a space for a scope, and code below it
 * reaches "the current space" without being handed it. Threads of one JVM can be in
 * different spaces at once.
 *
 * {@snippet class=dev.atlas.spaces.snippets.SpacesSnippets region=current-space}
 *
 * <h2>Progress guarantees</h2>
 * <ol>
 *   <li>Switching and {@link #get()} are wait-free and touch only the calling thread's state:
 *       no other thread is ever delayed.</li>
 * </ol>
 *
 * <p>Implementation notes: a {@link ScopedValue} binding. The atlas-core view machinery
 * (ViewSpace/ViewScope) migrates threads between versions of one process's views at
 * quiescence points; here a thread picks a space explicitly per scope, which is exactly a
 * scoped binding. Spaces are attached in the process already; switching changes no
 * mapping (all spaces' segments are mapped at their own fixed addresses at once).
 */
public final class CurrentSpace {
    private static final ScopedValue<SharedSpace> CURRENT = ScopedValue.newInstance();

    private CurrentSpace() {}

    /** Runs {@code body} with {@code space} as the current space of this thread. */
    public static void run(SharedSpace space, Runnable body) {
        ScopedValue.where(CURRENT, requireAttached(space)).run(body);
    }

    /** Calls {@code body} with {@code space} as the current space of this thread. */
    public static <T> T call(SharedSpace space, Callable<T> body) throws Exception {
        return ScopedValue.where(CURRENT, requireAttached(space)).call(body::call);
    }

    /**
     * The current space.
     *
     * @throws NoSuchElementException if this thread is in no space
     */
    public static SharedSpace get() {
        if (!CURRENT.isBound()) {
            throw new NoSuchElementException("thread '" + Thread.currentThread().getName()
                    + "' is in no space: switch with CurrentSpace.run(space, body)");
        }
        return CURRENT.get();
    }

    /** True if this thread is in a space. */
    public static boolean isSet() {
        return CURRENT.isBound();
    }

    private static SharedSpace requireAttached(SharedSpace s) {
        if (s == null) throw new NullPointerException("space");
        return s;
    }
}
