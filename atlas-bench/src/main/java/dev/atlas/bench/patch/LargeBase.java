package dev.atlas.bench.patch;

/** The superclass of {@link Large}. */
public class LargeBase {
    final long base;

    public LargeBase(long base) {
        this.base = base;
    }
}
