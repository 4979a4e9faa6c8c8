package dev.atlas.bench.patch;

/**
 * A class that inherits {@code equals} and {@code toString} from {@link Object}; the patch of
 * {@code ForeignGuardFixture} adds both (new overrides of JDK methods), so applying it gives
 * {@code Object.equals} and {@code Object.toString} the foreign entry guard. Instrumented and
 * defined by the fixture before anything else loads it.
 */
public class GuardedPoint {
    private final int x;

    public GuardedPoint(int x) {
        this.x = x;
    }

    public int x() {
        return x;
    }
}
