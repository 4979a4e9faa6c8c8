package dev.atlas.spaces.snippets;

import dev.atlas.spaces.AttachOptions;
import dev.atlas.spaces.CurrentSpace;
import dev.atlas.spaces.SharedSpace;
import dev.atlas.spaces.SpaceDirectory;
import dev.atlas.spaces.collections.Region;
import dev.atlas.spaces.collections.SharedHashMap;
import dev.atlas.spaces.collections.SharedSkipListMap;
import dev.atlas.spaces.collections.SharedVector;
import dev.atlas.spaces.heap.SegmentWords;
import dev.atlas.spaces.heap.SharedHeap;
import dev.atlas.spaces.sync.RobustLock;
import dev.atlas.spaces.sys.SpaceSyscalls;

import dev.atlas.memory.snapshot.MemorySnapshot;
import dev.atlas.memory.snapshot.SnapshotCut;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.OptionalLong;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The code of the {@code {@snippet}} examples in atlas-spaces' javadoc, by region: compiled
 * with the tests, so an example that no longer compiles fails the build. The javadoc shows
 * only the region ({@code {@snippet class=dev.atlas.spaces.snippets.SpacesSnippets region=...}},
 * resolved through {@code --snippet-path src/test/java}).
 */
@SuppressWarnings("unused")
final class SpacesSnippets {
    static final long INSERTING = 1;

    SpaceDirectory dir;

    void lookUp(SharedSpace space) {}

    void repair(long intent) {}

    void sharedSpace() {
        // @start region=shared-space
        try (SharedSpace s = dir.attach("orders", AttachOptions.READ_WRITE)) {
            long p = s.allocate(64);                 // a canonical address inside the segment
            s.segment().set(JAVA_LONG, s.offsetOf(p), 42L);
            s.setRoot("answer", "long", p);          // other JVMs find it by name
        }
        // @end
    }

    void syscalls() {
        // @start region=syscalls
        int fd = SpaceSyscalls.createExclusive("/dev/shm/atlas-spaces-0/orders.space", 0600);
        boolean alive = SpaceSyscalls.isAlive(4242);
        // @end
    }

    void currentSpace(SharedSpace orders, SharedSpace catalog) {
        // @start region=current-space
        CurrentSpace.run(orders, () -> {
            SharedSpace here = CurrentSpace.get();          // orders
            CurrentSpace.run(catalog, () -> lookUp(CurrentSpace.get()));   // nested: catalog
        });
        // @end
    }

    void spaceDirectory() {
        // @start region=space-directory
        SpaceDirectory dir = SpaceDirectory.defaultDirectory();
        try (SharedSpace s = dir.create("orders", 1L << 30, 0600)) {        // creator, attached
            s.setRoot("answer", "long", s.allocate(8));
        }
        try (SharedSpace s = dir.attach("orders", AttachOptions.READ_ONLY)) {   // any JVM
            s.segment();
        }
        dir.delete("orders", false);   // refused while another process is attached
        // @end
    }

    void robustLock(RobustLock lock) {
        // @start region=robust-lock
        try (RobustLock.Held held = lock.lock()) {
            if (held.previousOwnerDied()) {
                repair(held.deadOwnerIntent());   // what the dead holder said it was doing
            }
            held.intent(INSERTING);               // recorded in shared memory, for our successor
            // ... change the shared structure ...
        }
        // @end
    }

    void sharedHeap(MemorySegment segment) {
        // @start region=shared-heap
        SharedHeap heap = SharedHeap.format(new SegmentWords(segment));   // once, by the creator
        SharedHeap same = SharedHeap.open(new SegmentWords(segment));     // every other attacher
        long p = heap.allocate(100);
        heap.free(p);
        // @end
    }

    void region(SharedSpace space) {
        // @start region=region
        Region r = Region.of(space);                 // a space attached in this process
        long node = r.allocateZeroed(24);            // a canonical address
        r.store(node, 0, 42L);                       // word at node + 0
        // @end
    }

    void snapshot(SharedSpace space, dev.atlas.core.ViewSpace writersSpace, java.util.List<Thread> writers) {
        // @start region=snapshot
        // writers: each map operation in a scope, a quiescence point between (see SnapshotCut)
        SnapshotCut cut = SnapshotCut.quiescent(writersSpace, writers, Duration.ofSeconds(5));
        try (MemorySnapshot snap = MemorySnapshot.builder().region("space", space.segment()).cut(cut).take()) {
            Region frozen = Region.of(snap.region("space"), space.addressOf(0));
            SharedHashMap asOfTheCut = SharedHashMap.open(frozen, space.root("users", SharedHashMap.ROOT_TYPE));
            asOfTheCut.forEach((k, v) -> System.out.println(k + " = " + v));   // writers go on meanwhile
        }
        // @end
    }

    void sharedHashMap(SharedSpace space, SharedSpace other) {
        // @start region=shared-hash-map
        SharedHashMap users = SharedHashMap.create(space, "users", 1 << 16);   // named root
        users.put(42L, space.allocate(64));
        // in another JVM:
        SharedHashMap same = SharedHashMap.open(other, "users");
        long v = same.getOrDefault(42L, -1L);
        // @end
    }

    void sharedSkipListMap(SharedSpace space) {
        // @start region=shared-skip-list-map
        SharedSkipListMap prices = SharedSkipListMap.create(space, "prices");
        prices.put(1700L, 99L);
        prices.forEach(1000L, 2000L, (k, v) -> System.out.println(k + " " + v));   // in key order
        OptionalLong next = prices.ceilingKey(1650L);
        // @end
    }

    void sharedVector(SharedSpace space) {
        // @start region=shared-vector
        SharedVector log = SharedVector.create(space, "log");
        long i = log.append(123L);          // the index it got
        long v = log.get(i);                // from any JVM
        // @end
    }
}
