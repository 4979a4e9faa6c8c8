package dev.atlas.bench.patch;

/** A class no patch touches that inherits {@code equals} and {@code toString} from {@link Object}. */
public class PlainPoint {
    private final int x;

    public PlainPoint(int x) {
        this.x = x;
    }

    public int x() {
        return x;
    }
}
