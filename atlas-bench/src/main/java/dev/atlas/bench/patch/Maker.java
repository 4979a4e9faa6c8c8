package dev.atlas.bench.patch;

/** Creates one object per call: how {@code ConstructionBenchmark} reaches a constructor of a class in either loader. */
public interface Maker {
    Object make(long seed);

    /** {@code new Small(seed)}. */
    final class SmallMaker implements Maker {
        @Override
        public Object make(long seed) {
            return new Small(seed);
        }
    }

    /** {@code new Large(seed)} (through {@code this(seed, "large")}). */
    final class LargeMaker implements Maker {
        @Override
        public Object make(long seed) {
            return new Large(seed);
        }
    }
}
