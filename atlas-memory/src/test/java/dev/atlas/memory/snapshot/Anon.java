package dev.atlas.memory.snapshot;

import dev.atlas.memory.linux.Linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ConcurrentHashMap;

/** Anonymous memory for the tests, each mapping owned by its own shared arena. */
final class Anon {
    private static final ConcurrentHashMap<Long, Arena> ARENAS = new ConcurrentHashMap<>();

    private Anon() {}

    static MemorySegment map(long bytes) {
        Arena a = Arena.ofShared();
        MemorySegment m = Linux.mapAnonymous(bytes, a);
        ARENAS.put(m.address(), a);
        return m;
    }

    /** Closes the arena of {@code m} (which unmaps it). */
    static void unmap(MemorySegment m) {
        Arena a = ARENAS.remove(m.address());
        if (a == null) {
            throw new IllegalArgumentException(m + " was not mapped by Anon.map");
        }
        a.close();
    }
}
