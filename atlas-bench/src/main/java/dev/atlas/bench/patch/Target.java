package dev.atlas.bench.patch;

/**
 * The method whose call cost is measured: a few arithmetic operations on the arguments and
 * a field. A benchmark JVM loads it either normally (un-instrumented) or instrumented, through
 * {@link PatchedTarget#load()}.
 *
 * <p>The patch ({@link PatchedTarget}) replaces {@link #m} with a body that does the same
 * amount of work with another constant, so a result tells which body ran.
 */
public class Target implements Op {   // not final: SubTarget extends it (PatchedTarget.overridePatch)
    /** Package-private: the patch body, compiled as an ordinary class of this package, reads it. */
    final long k;

    public Target(long k) {
        this.k = k;
    }

    @Override
    public long m(long a, long b) {
        return (a * 31 + b) ^ (k + a);
    }
}
