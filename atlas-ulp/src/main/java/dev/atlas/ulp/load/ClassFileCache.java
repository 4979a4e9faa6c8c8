package dev.atlas.ulp.load;

import java.net.URL;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.jar.Manifest;

/**
 * The class files a host's programs defined, already rewritten, per version of a class path:
 * a program started again on an unchanged class path defines the same bytes without reading,
 * verifying the signature of, parsing and rewriting them again. Its statics stay its own: the
 * cache holds bytes, never classes, so each program's loader still defines its own classes.
 *
 * {@snippet class=dev.atlas.ulp.snippets.UlpSnippets region=class-file-cache}
 *
 * <p>A class path version is its {@linkplain ProgramClassPath#fingerprint() fingerprint}:
 * the jars' paths and a 64-bit hash of their entries' names, CRC-32s and sizes, as the
 * central directory of the jar the program opened lists them; a class path with a directory
 * has none and is not cached.
 *
 * <p>Thread safety: all methods may be called from any thread.
 *
 * <p>Implementation notes: the class paths are kept in access order under {@code lock};
 * before a definition is added that would make the bytes held exceed the capacity, the least
 * recently used class paths are dropped (a loader that still holds a dropped {@link Classes}
 * keeps using what it has and adds nothing more). Invariant, at every release of
 * {@code lock}: {@code bytes} is the sum of the byte lengths of the definitions in the class
 * paths still in {@code paths}, and at most the capacity. A definition enters its map under
 * {@code lock}, as the last step of {@code put}, and never leaves it; {@code get} reads the
 * map without the lock. {@code ClassFileCacheModelCheckTest} checks that every operation is
 * linearizable against this class run sequentially.
 */
public final class ClassFileCache {
    /**
     * A class file as a program defines it.
     *
     * @param bytes     the class file after the system-call rewrite
     * @param rewritten whether the rewrite changed it
     * @param location  the jar it came from (its code source)
     * @param manifest  that jar's manifest, or null
     */
    public record Definition(byte[] bytes, boolean rewritten, URL location, Manifest manifest) {
    }

    private final long capacityBytes;
    private final Object lock = new Object();
    private final LinkedHashMap<String, Classes> paths = new LinkedHashMap<>(16, 0.75f, true);   // guarded by lock
    private long bytes;   // guarded by lock
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();

    /** A cache holding up to {@code capacityBytes} of class files (0: caches nothing). */
    public ClassFileCache(long capacityBytes) {
        if (capacityBytes < 0) {
            throw new IllegalArgumentException("class file cache capacity must be >= 0 bytes, got " + capacityBytes);
        }
        this.capacityBytes = capacityBytes;
    }

    /** The classes of the class path version {@code fingerprint}; null (not cached) if it is null or the cache is off. */
    public Classes classesOf(String fingerprint) {
        if (fingerprint == null || capacityBytes == 0) {
            return null;
        }
        synchronized (lock) {
            return paths.computeIfAbsent(fingerprint, f -> new Classes());
        }
    }

    /** Definitions served from the cache so far. */
    public long hits() {
        return hits.sum();
    }

    /** Lookups that found nothing so far. */
    public long misses() {
        return misses.sum();
    }

    /** The bytes of class files held now. */
    public long size() {
        synchronized (lock) {
            return bytes;
        }
    }

    /**
     * Adds {@code d} to {@code owner} unless it holds {@code name} already or was dropped; first
     * drops the least recently used class paths until it fits (if that drops {@code owner}
     * itself, or {@code d} is larger than the capacity, nothing is added).
     */
    private void put(Classes owner, String name, Definition d) {
        long n = d.bytes().length;
        synchronized (lock) {
            if (owner.dropped || n > capacityBytes || owner.byName.containsKey(name)) {
                return;
            }
            Iterator<Map.Entry<String, Classes>> eldest = paths.entrySet().iterator();
            while (bytes + n > capacityBytes && eldest.hasNext()) {
                Classes c = eldest.next().getValue();
                eldest.remove();
                c.dropped = true;
                bytes -= c.held;
            }
            if (owner.dropped) {
                return;
            }
            owner.byName.put(name, d);   // the last step: a reader never sees a definition that is not counted
            owner.held += n;
            bytes += n;
        }
    }

    /** The cached classes of one class path version. Thread safety: any thread. */
    public final class Classes {
        private final ConcurrentHashMap<String, Definition> byName = new ConcurrentHashMap<>();
        private boolean dropped;   // guarded by lock
        private long held;         // guarded by lock

        private Classes() {
        }

        /** The definition of class {@code name}, or null. */
        public Definition get(String name) {
            Definition d = byName.get(name);
            (d != null ? hits : misses).increment();
            return d;
        }

        /**
         * Keeps {@code d} as the definition of {@code name}, unless one is kept already, this
         * class path was dropped, or {@code d} would drop it.
         */
        public void put(String name, Definition d) {
            ClassFileCache.this.put(this, name, d);
        }
    }
}
