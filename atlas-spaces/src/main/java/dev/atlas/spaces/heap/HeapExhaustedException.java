package dev.atlas.spaces.heap;

/** An allocation asked for more than the heap has left. Nothing was changed. */
public final class HeapExhaustedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public HeapExhaustedException(long requested, long capacity, long available) {
        super("cannot allocate " + requested + " bytes: the segment's heap holds " + capacity + " bytes and has "
                + available + " never-used bytes left (freed blocks of other sizes are not merged); create the space"
                + " with a larger capacity");
    }
}
