package dev.atlas.spaces.collections;

import dev.atlas.spaces.SharedSpace;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.util.OptionalLong;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A hash map from {@code long} keys to {@code long} values living in a space, used by every
 * attached JVM at once; readers never block and never write. Values are often pointers to
 * other blocks of the space.
 *
 * {@snippet class=dev.atlas.spaces.snippets.SpacesSnippets region=shared-hash-map}
 *
 * <h2>Progress guarantees</h2>
 * <ol>
 *   <li>{@link #get}, {@link #getOrDefault}, {@link #containsKey} are wait-free: a bounded walk
 *       of one bucket's chain with volatile reads.</li>
 *   <li>{@link #put} of a new key is lock-free: each retry follows a CAS on the bucket head
 *       another thread or process completed; put of a present key and {@link #remove} are
 *       wait-free (one atomic swap of the value word and one atomic add to the size).</li>
 *   <li>A process dying inside any operation leaves the map consistent: each change is one
 *       atomic write; at worst a node allocated and never linked leaks.</li>
 * </ol>
 *
 * <p>Threading contract: any thread of any process attached to the space. {@link #size()} is
 * exact when no update is in progress, otherwise within the number of updates in progress (or
 * interrupted by the death of their process: such an update is done, its count may not be).
 *
 * <h2>Implementation notes</h2>
 * A fixed power-of-two array of buckets, each the head of a chain of {@link #NODE} blocks.
 * A key's node, once linked, is never unlinked or moved: a removal sets its value word to 0
 * ("no value", see {@link Region#encode}) and a later put of the key revives the same node.
 * So a chain only ever grows at its head, and a reader needs neither locks nor hazard
 * pointers. The memory of removed keys is kept: the map suits key sets that are mostly stable.
 *
 * <h2>Memory ordering</h2>
 * A new node's key, value and next are written before the CAS that links it (volatile), so a
 * reader that reaches the node sees them. The linearization point of put/remove is the swap of
 * the value word (existing key) or the CAS on the bucket head (new key); of get, the read of the
 * value word.
 */
public final class SharedHashMap {
    /** The root type name under which maps are registered. */
    public static final String ROOT_TYPE = "atlas.hashmap";
    static final StructLayout HEADER = MemoryLayout.structLayout(
            JAVA_LONG.withName("magic"),
            JAVA_LONG.withName("bucketCount"),
            JAVA_LONG.withName("buckets"),     // pointer to bucketCount words
            JAVA_LONG.withName("size"));
    static final StructLayout NODE = MemoryLayout.structLayout(
            JAVA_LONG.withName("key"),
            JAVA_LONG.withName("value"),       // encoded; 0 = removed
            JAVA_LONG.withName("next"));       // pointer, 0 = end of chain
    private static final long MAGIC = 0x4154_4C41_5348_4D31L;   // "ATLASHM1"
    private static final long H_BUCKET_COUNT = HEADER.byteOffset(groupElement("bucketCount"));
    private static final long H_BUCKETS = HEADER.byteOffset(groupElement("buckets"));
    private static final long H_SIZE = HEADER.byteOffset(groupElement("size"));
    private static final long N_KEY = NODE.byteOffset(groupElement("key"));
    private static final long N_VALUE = NODE.byteOffset(groupElement("value"));
    private static final long N_NEXT = NODE.byteOffset(groupElement("next"));

    private final Region region;
    private final long header;
    private final long buckets;
    private final long mask;

    private SharedHashMap(Region region, long header) {
        this.region = region;
        this.header = header;
        region.checkMagic(header, MAGIC, "hash map");
        long n = region.load(header, H_BUCKET_COUNT);
        if (n <= 0 || Long.bitCount(n) != 1) {
            throw new IllegalStateException("hash map at 0x" + Long.toHexString(header) + " has bucket count " + n
                    + ", expected a power of two: damaged");
        }
        this.buckets = region.load(header, H_BUCKETS);
        region.offset(buckets + (n - 1) * 8);   // the whole bucket array lies inside
        this.mask = n - 1;
    }

    /** Creates an empty map with {@code buckets} (rounded up to a power of two) buckets in {@code region}. */
    public static SharedHashMap create(Region region, int buckets) {
        region.checkWritable("SharedHashMap.create");
        if (buckets < 1 || buckets > (1 << 30)) {
            throw new IllegalArgumentException("bucket count " + buckets + " must be between 1 and 2^30");
        }
        long n = buckets == 1 ? 1 : Long.highestOneBit(buckets - 1L) << 1;
        long array = region.allocateZeroed(n * 8);
        long h = region.allocateZeroed(HEADER.byteSize());
        region.store(h, H_BUCKET_COUNT, n);
        region.store(h, H_BUCKETS, array);
        region.store(h, 0, MAGIC);
        return new SharedHashMap(region, h);
    }

    /** Creates a map and registers it as root {@code root} of {@code space}. */
    public static SharedHashMap create(SharedSpace space, String root, int buckets) {
        SharedHashMap m = create(Region.of(space), buckets);
        space.setRoot(root, ROOT_TYPE, m.address());
        return m;
    }

    /** The map at {@code address} in {@code region}. */
    public static SharedHashMap open(Region region, long address) {
        return new SharedHashMap(region, address);
    }

    /** The map registered as root {@code root} of {@code space}. */
    public static SharedHashMap open(SharedSpace space, String root) {
        return new SharedHashMap(Region.of(space), space.root(root, ROOT_TYPE));
    }

    /** The canonical address of the map (what a root or another structure stores). */
    public long address() {
        return header;
    }

    /** The value of {@code key}, or {@code absent} if none. Wait-free. */
    public long getOrDefault(long key, long absent) {
        long n = find(key, region.load(buckets, bucket(key)));
        if (n == 0) return absent;
        long v = region.load(n, N_VALUE);
        return v == 0 ? absent : Region.decode(v);
    }

    /** The value of {@code key}, if any. Wait-free. */
    public OptionalLong get(long key) {
        long n = find(key, region.load(buckets, bucket(key)));
        long v = n == 0 ? 0 : region.load(n, N_VALUE);
        return v == 0 ? OptionalLong.empty() : OptionalLong.of(Region.decode(v));
    }

    public boolean containsKey(long key) {
        return get(key).isPresent();
    }

    /**
     * Maps {@code key} to {@code value}.
     *
     * @return true if the key had no value before
     * @throws IllegalArgumentException for {@link Region#NO_VALUE}; nothing changed
     */
    public boolean put(long key, long value) {
        region.checkWritable("SharedHashMap.put");
        long stored = Region.encode(value);
        long b = bucket(key);
        long fresh = 0;
        for (;;) {
            long head = region.load(buckets, b);
            long n = find(key, head);
            if (n != 0) {
                if (fresh != 0) region.free(fresh);   // never published
                boolean added = region.getAndSet(n, N_VALUE, stored) == 0;
                if (added) region.getAndAdd(header, H_SIZE, 1);
                return added;
            }
            if (fresh == 0) {
                fresh = region.allocateZeroed(NODE.byteSize());
                region.store(fresh, N_KEY, key);
                region.store(fresh, N_VALUE, stored);
            }
            region.store(fresh, N_NEXT, head);
            if (region.cas(buckets, b, head, fresh)) {
                region.getAndAdd(header, H_SIZE, 1);
                return true;
            }
        }
    }

    /** Removes {@code key}'s value; true if it had one. */
    public boolean remove(long key) {
        region.checkWritable("SharedHashMap.remove");
        long n = find(key, region.load(buckets, bucket(key)));
        if (n == 0 || region.getAndSet(n, N_VALUE, 0) == 0) return false;
        region.getAndAdd(header, H_SIZE, -1);
        return true;
    }

    /** The number of keys with a value (see the class comment for concurrent updates). */
    public long size() {
        return region.load(header, H_SIZE);
    }

    /** Calls {@code visitor} for every key with a value (weakly consistent under updates). */
    public void forEach(EntryVisitor visitor) {
        for (long b = 0; b <= mask; b++) {
            for (long n = region.load(buckets, b * 8); n != 0; n = region.load(n, N_NEXT)) {
                long v = region.load(n, N_VALUE);
                if (v != 0) visitor.visit(region.load(n, N_KEY), Region.decode(v));
            }
        }
    }

    /**
     * Verifies the structure (for a map nobody is changing): every node is inside the region,
     * in the bucket of its key, each key once, no cycle. (The size counter is not checked: a
     * process killed between an update and its count leaves it off by one.)
     *
     * @return the number of keys with a value
     * @throws IllegalStateException describing the first inconsistency
     */
    public long check() {
        long live = 0;
        java.util.HashSet<Long> seen = new java.util.HashSet<>();
        for (long b = 0; b <= mask; b++) {
            for (long n = region.load(buckets, b * 8); n != 0; n = region.load(n, N_NEXT)) {
                long key = region.load(n, N_KEY);
                if (bucket(key) != b * 8) {
                    throw new IllegalStateException("key " + key + " in bucket " + b + ", belongs in " + bucket(key) / 8);
                }
                if (!seen.add(key)) {
                    throw new IllegalStateException("key " + key + " linked twice (or a cycle) in bucket " + b);
                }
                if (region.load(n, N_VALUE) != 0) live++;
            }
        }
        return live;
    }

    private long find(long key, long head) {
        long n = head;
        while (n != 0 && region.load(n, N_KEY) != key) {
            n = region.load(n, N_NEXT);
        }
        return n;
    }

    private long bucket(long key) {
        return (mix(key) & mask) * 8;
    }

    /** The finaliser of MurmurHash3 (fmix64). */
    static long mix(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        return k ^ (k >>> 33);
    }
}
