package dev.atlas.bench.patch;

/**
 * The call the benchmarks make: {@link Target#m}, seen through an interface so that the
 * benchmark code can call the copies of {@link Target} from different class loaders (plain
 * and instrumented) through the same, monomorphic call site.
 */
public interface Op {
    long m(long a, long b);
}
