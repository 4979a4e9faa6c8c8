package dev.atlas.bench.patch;

/**
 * {@link GuardedPoint} as the new release compiles it: the same {@code equals} and
 * {@code toString} as the patch's bodies, declared by the class itself (the reference for what
 * those calls cost without a patch).
 */
public class CompiledPoint {
    private final int x;

    public CompiledPoint(int x) {
        this.x = x;
    }

    public int x() {
        return x;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CompiledPoint p && p.x() == x;
    }

    @Override
    public int hashCode() {
        return x;
    }

    @Override
    public String toString() {
        return "Point(" + x + ")";
    }
}
