package dev.atlas.bench.patch;

/** A small object for {@code ConstructionBenchmark}: one field set by its constructor. */
public final class Small {
    final long a;

    public Small(long a) {
        this.a = a;
    }

    /** The field, for the fixture's check. */
    public long a() {
        return a;
    }
}
