package dev.atlas.bench.patch;

/**
 * A larger object for {@code ConstructionBenchmark}: a superclass with a constructor of its
 * own, sixteen fields, two constructors (the second delegates with {@code this(..)}).
 */
public final class Large extends LargeBase {
    final long a;
    final long b;
    final long c;
    final long d;
    final long e;
    final long f;
    final long g;
    final long h;
    final long i;
    final long j;
    final long k;
    final long l;
    final long m;
    final long n;
    final String label;
    final int[] counts;

    public Large(long seed) {
        this(seed, "large");
    }

    public Large(long seed, String label) {
        super(seed ^ 0x5DEECE66DL);
        this.a = seed;
        this.b = seed * 3;
        this.c = seed + 7;
        this.d = seed ^ 0xFF;
        this.e = seed * 5 + 1;
        this.f = seed >>> 3;
        this.g = seed << 2;
        this.h = seed - 11;
        this.i = seed * 13;
        this.j = seed | 0x10;
        this.k = seed & 0xFFFF;
        this.l = seed * 17 + 3;
        this.m = ~seed;
        this.n = seed * 19;
        this.label = label;
        this.counts = new int[4];
    }

    /** A value depending on every field, for the fixture's check. */
    public long sum() {
        return base + a + b + c + d + e + f + g + h + i + j + k + l + m + n + label.length() + counts.length;
    }
}
