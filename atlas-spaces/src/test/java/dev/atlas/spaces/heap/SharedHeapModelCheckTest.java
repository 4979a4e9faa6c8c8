package dev.atlas.spaces.heap;

import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Lincheck over the allocator's in-process logic, on an {@link AtomicLongArray} (whose
 * accesses Lincheck interleaves): allocate and free from several threads are linearizable
 * against a model where no block is ever held by two threads at once (a racing second free of
 * a block is undetectable once another thread reallocated it, so double frees are tested
 * sequentially in SharedHeapTest), in every interleaving Lincheck explores.
 */
public class SharedHeapModelCheckTest {
    private final SharedHeap heap = SharedHeap.format(new ArrayWords(new AtomicLongArray(128)));
    private final java.util.concurrent.ConcurrentHashMap<Long, Boolean> live = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Allocates a block, claims it in a set (false if another thread holds the same block),
     * releases and frees it. Always true in a correct allocator.
     */
    @Operation
    public boolean cycle() {
        long p = heap.allocate(16);
        boolean distinct = live.putIfAbsent(p, Boolean.TRUE) == null;
        if (distinct) live.remove(p);
        heap.free(p);
        return distinct;
    }

    /** As {@link #cycle()} with blocks of two sizes, so that classes and the bump pointer interleave. */
    @Operation
    public boolean cycleTwo() {
        long p = heap.allocate(16);
        long q = heap.allocate(100);
        boolean distinct = p != q && live.putIfAbsent(p, Boolean.TRUE) == null;
        if (distinct) distinct = live.putIfAbsent(q, Boolean.TRUE) == null;
        live.remove(p);
        live.remove(q);
        heap.free(q);
        heap.free(p);
        return distinct;
    }

    @Test
    void modelCheck() {
        new ModelCheckingOptions().iterations(15).invocationsPerIteration(200).threads(2).actorsPerThread(3)
                .sequentialSpecification(Spec.class).check(getClass());
    }

    @Test
    void stress() {
        new StressOptions().iterations(8).invocationsPerIteration(200).threads(3).actorsPerThread(3)
                .sequentialSpecification(Spec.class).check(getClass());
    }

    /** The sequential model: both operations always succeed. */
    public static final class Spec {
        public boolean cycle() {
            return true;
        }

        public boolean cycleTwo() {
            return true;
        }
    }
}
