package dev.atlas.spaces.collections;

import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Lincheck over the shared structures' logic, on words Lincheck can interleave: every
 * concurrent history of put/get/remove (and ceiling, append, size) is linearizable against
 * {@link HashMap}, {@link TreeMap} and {@link ArrayList}, in every interleaving the model
 * checker explores and in stress runs on real threads. Keys come from a small range and the
 * hash map has two buckets, so that operations collide on the same chains and nodes.
 */
class CollectionsModelCheckTest {
    static void check(Class<?> test, Class<?> spec) {
        new ModelCheckingOptions().iterations(4).invocationsPerIteration(120).threads(2).actorsPerThread(3)
                .sequentialSpecification(spec).check(test);
        new StressOptions().iterations(2).invocationsPerIteration(120).threads(3).actorsPerThread(3)
                .sequentialSpecification(spec).check(test);
    }

    @Test
    void hashMapIsLinearizable() {
        check(HashMapOps.class, MapSpec.class);
    }

    @Test
    void skipListIsLinearizable() {
        check(SkipListOps.class, OrderedSpec.class);
    }

    @Test
    void vectorIsLinearizable() {
        check(VectorOps.class, VectorSpec.class);
    }

    @Param(name = "key", gen = IntGen.class, conf = "0:3")
    @Param(name = "value", gen = IntGen.class, conf = "1:3")
    public static class HashMapOps {
        private final SharedHashMap map = SharedHashMap.create(ArrayRegion.create(512), 2);

        @Operation
        public boolean put(@Param(name = "key") int k, @Param(name = "value") int v) { return map.put(k, v); }

        @Operation
        public long get(@Param(name = "key") int k) { return map.getOrDefault(k, -1); }

        @Operation
        public boolean remove(@Param(name = "key") int k) { return map.remove(k); }
    }

    public static class MapSpec {
        private final Map<Integer, Integer> m = new HashMap<>();

        public boolean put(int k, int v) { return m.put(k, v) == null; }

        public long get(int k) { return m.getOrDefault(k, -1); }

        public boolean remove(int k) { return m.remove(k) != null; }
    }

    @Param(name = "key", gen = IntGen.class, conf = "0:3")
    @Param(name = "value", gen = IntGen.class, conf = "1:3")
    public static class SkipListOps {
        private final SharedSkipListMap map = SharedSkipListMap.create(ArrayRegion.create(1024));

        @Operation
        public boolean put(@Param(name = "key") int k, @Param(name = "value") int v) { return map.put(k, v); }

        @Operation
        public long get(@Param(name = "key") int k) { return map.get(k).orElse(-1); }

        @Operation
        public boolean remove(@Param(name = "key") int k) { return map.remove(k); }

        @Operation
        public long ceiling(@Param(name = "key") int k) { return map.ceilingKey(k).orElse(-1); }
    }

    public static class OrderedSpec {
        private final TreeMap<Integer, Integer> m = new TreeMap<>();

        public boolean put(int k, int v) { return m.put(k, v) == null; }

        public long get(int k) { return m.getOrDefault(k, -1); }

        public boolean remove(int k) { return m.remove(k) != null; }

        public long ceiling(int k) {
            Integer c = m.ceilingKey(k);
            return c == null ? -1 : c;
        }
    }

    @Param(name = "value", gen = IntGen.class, conf = "1:9")
    @Param(name = "index", gen = IntGen.class, conf = "0:3")
    public static class VectorOps {
        private final SharedVector vector = SharedVector.create(ArrayRegion.create(512));

        @Operation
        public long append(@Param(name = "value") int v) { return vector.append(v); }

        @Operation
        public long get(@Param(name = "index") int i) {
            try {
                return vector.get(i);
            } catch (IndexOutOfBoundsException e) {
                return -1;
            }
        }

        @Operation
        public long size() { return vector.size(); }
    }

    public static class VectorSpec {
        private final List<Long> l = new ArrayList<>();

        public long append(int v) {
            l.add((long) v);
            return l.size() - 1;
        }

        public long get(int i) { return i < l.size() ? l.get(i) : -1; }

        public long size() { return l.size(); }
    }
}
