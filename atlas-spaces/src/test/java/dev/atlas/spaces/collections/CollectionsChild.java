package dev.atlas.spaces.collections;

import dev.atlas.spaces.AttachOptions;
import dev.atlas.spaces.SharedSpace;
import dev.atlas.spaces.SpaceDirectory;

import java.nio.file.Path;

/**
 * A child JVM for {@link CollectionsCrossProcessIT}: attaches the space and, for i = 0, 1,
 * ... (up to a limit, or until killed), puts key {@code i * STRIDE + id} with value twice the
 * key into the hash map, then the ordered map, then appends the key to the vector, and prints
 * {@code done i}.
 */
public final class CollectionsChild {
    static final int STRIDE = 4;

    private CollectionsChild() {}

    public static void main(String[] args) {
        SpaceDirectory dir = SpaceDirectory.at(Path.of(args[0]));
        int id = Integer.parseInt(args[2]);
        long limit = Long.parseLong(args[3]);
        try (SharedSpace s = dir.attach(args[1], AttachOptions.READ_WRITE)) {
            SharedHashMap map = SharedHashMap.open(s, "map");
            SharedSkipListMap ordered = SharedSkipListMap.open(s, "ordered");
            SharedVector vector = SharedVector.open(s, "vector");
            for (long i = 0; i < limit; i++) {
                long k = i * STRIDE + id;
                map.put(k, 2 * k);
                ordered.put(k, 2 * k);
                vector.append(k);
                System.out.println("done " + i);
                System.out.flush();
            }
        }
    }
}
