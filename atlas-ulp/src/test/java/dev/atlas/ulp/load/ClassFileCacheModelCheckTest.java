package dev.atlas.ulp.load;

import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.junit.jupiter.api.Test;

/**
 * Lincheck over {@link ClassFileCache}: programs of two class path versions putting and
 * getting definitions while the cache, too small for both, drops the least recently used
 * one, are linearizable against the cache run sequentially (no definition is seen before it
 * is counted in {@code size()}, a dropped class path takes nothing more, the size never
 * exceeds the capacity), in every interleaving Lincheck explores.
 */
@Param(name = "name", gen = IntGen.class, conf = "1:3")
@Param(name = "length", gen = IntGen.class, conf = "2:6")
public class ClassFileCacheModelCheckTest {
    private static final long CAPACITY = 10;

    private final ClassFileCache cache = new ClassFileCache(CAPACITY);
    private final ClassFileCache.Classes a = cache.classesOf("a.jar|1\n");
    private final ClassFileCache.Classes b = cache.classesOf("b.jar|1\n");

    private static ClassFileCache.Definition def(int length) {
        return new ClassFileCache.Definition(new byte[length], false, null, null);
    }

    private static Integer length(ClassFileCache.Definition d) {
        return d == null ? null : d.bytes().length;
    }

    @Operation
    public void putA(@Param(name = "name") int name, @Param(name = "length") int length) {
        a.put("C" + name, def(length));
    }

    @Operation
    public void putB(@Param(name = "name") int name, @Param(name = "length") int length) {
        b.put("C" + name, def(length));
    }

    @Operation
    public Integer getA(@Param(name = "name") int name) {
        return length(a.get("C" + name));
    }

    @Operation
    public Integer getB(@Param(name = "name") int name) {
        return length(b.get("C" + name));
    }

    /** Whether class path a is still the one cached (reopening it also makes it the most recently used). */
    @Operation
    public boolean reopenA() {
        return cache.classesOf("a.jar|1\n") == a;
    }

    @Operation
    public long size() {
        long s = cache.size();
        if (s > CAPACITY) {
            throw new AssertionError("size " + s + " exceeds the capacity " + CAPACITY);
        }
        return s;
    }

    @Test
    void modelCheck() {
        new ModelCheckingOptions().iterations(10).invocationsPerIteration(100).threads(2).actorsPerThread(3)
                .check(getClass());
    }

    @Test
    void stress() {
        new StressOptions().iterations(6).invocationsPerIteration(100).threads(3).actorsPerThread(3)
                .check(getClass());
    }
}
