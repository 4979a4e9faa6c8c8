package dev.atlas.spaces;

import java.util.NoSuchElementException;
import java.util.concurrent.Callable;

/**
 * The space a thread is in: a thread switches into a space for a scope, and code below it
 * reaches "the current space" without being handed it. Threads of one JVM can be in
 * different spaces at once; scopes nest, and leaving one (normally or by an exception)
 * puts the thread back in the space it was in before.
 *
 * {@snippet class=dev.atlas.spaces.snippets.SpacesSnippets region=current-space}
 *
 * <h2>Progress guarantees</h2>
 * <ol>
 *   <li>Switching and {@link #get()} are wait-free and touch only the calling thread's state:
 *       no other thread is ever delayed.</li>
 *   <li>A switch allocates nothing: it is one read of a thread-local slot and two plain
 *       writes to it (entering and leaving the scope).</li>
 * </ol>
 *
 * <p>The current space is per thread (virtual threads have their own); a thread started
 * inside a scope does not inherit it, and switches itself.
 *
 * <h2>Implementation notes</h2>
 * One {@link CurrentSpaceSlot} per thread, in a {@link ThreadLocal}, holds the current space;
 * {@code run} saves the slot's value, sets it, runs the body and restores the saved value in
 * a {@code finally}. Invariant: outside every scope of a thread its slot holds null. Spaces
 * are attached in the process already: switching changes no mapping (all spaces' segments
 * are mapped at their own fixed addresses at once). A {@link ScopedValue} binding would give
 * the same scoping, but each binding allocates a carrier and a snapshot and clears the
 * thread's scoped-value cache, which costs more than the switch's whole budget (the
 * {@code SpacesBenchmark} measures both).
 *
 * <h2>Memory ordering</h2>
 * The slot is read and written only by its own thread: plain accesses, program order.
 */
public final class CurrentSpace {
    private static final ThreadLocal<CurrentSpaceSlot> SLOT = ThreadLocal.withInitial(CurrentSpaceSlot::new);

    private CurrentSpace() {}

    /** Runs {@code body} with {@code space} as the current space of this thread. */
    public static void run(SharedSpace space, Runnable body) {
        requireAttached(space);
        CurrentSpaceSlot slot = SLOT.get();
        SharedSpace previous = slot.space;
        slot.space = space;
        try {
            body.run();
        } finally {
            slot.space = previous;
        }
    }

    /** Calls {@code body} with {@code space} as the current space of this thread. */
    public static <T> T call(SharedSpace space, Callable<T> body) throws Exception {
        requireAttached(space);
        CurrentSpaceSlot slot = SLOT.get();
        SharedSpace previous = slot.space;
        slot.space = space;
        try {
            return body.call();
        } finally {
            slot.space = previous;
        }
    }

    /**
     * The current space.
     *
     * @throws NoSuchElementException if this thread is in no space
     */
    public static SharedSpace get() {
        SharedSpace s = SLOT.get().space;
        if (s == null) {
            throw new NoSuchElementException("thread '" + Thread.currentThread().getName()
                    + "' is in no space: switch with CurrentSpace.run(space, body)");
        }
        return s;
    }

    /** True if this thread is in a space. */
    public static boolean isSet() {
        return SLOT.get().space != null;
    }

    private static void requireAttached(SharedSpace s) {
        if (s == null) throw new NullPointerException("space");
    }

    /** A thread's current space. Threading contract: only its own thread reads or writes it. */
    private static final class CurrentSpaceSlot {
        SharedSpace space;
    }
}
