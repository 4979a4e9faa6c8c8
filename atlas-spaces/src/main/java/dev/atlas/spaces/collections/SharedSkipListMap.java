package dev.atlas.spaces.collections;

import dev.atlas.spaces.SharedSpace;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.util.OptionalLong;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * An ordered map from {@code long} keys to {@code long} values living in a space (a skip
 * list), used by every attached JVM at once; readers never block and never write.
 *
 * {@snippet class=dev.atlas.spaces.snippets.SpacesSnippets region=shared-skip-list-map}
 *
 * <h2>Progress guarantees</h2>
 * <ol>
 *   <li>{@link #get}, {@link #ceilingKey} and {@link #forEach} are wait-free per step (each
 *       step follows a pointer; a scan is as long as the keys it passes).</li>
 *   <li>{@link #put} and {@link #remove} are lock-free.</li>
 *   <li>A process dying inside any operation leaves the map consistent: a node is in the map
 *       once linked at level 0 (one CAS); a death while linking the upper levels leaves it in
 *       fewer index levels, which only costs search steps.</li>
 * </ol>
 *
 * <p>Threading contract: any thread of any process attached to the space.
 *
 * <h2>Implementation notes</h2>
 * Level 0 is a sorted singly linked list of all nodes; levels 1..{@code MAX_LEVEL-1} are
 * sorted sublists used as an index. As in {@link SharedHashMap}, nodes are never unlinked:
 * removal sets the value word to 0 and a later put revives the node. Without unlinking, a CAS
 * of {@code pred.next[i]} from the successor a search found to the new node is enough to keep
 * every level sorted (no Harris marks). A node's height is derived from its key's hash
 * (geometric, p = 1/4), so runs are deterministic.
 *
 * <h2>Memory ordering</h2>
 * A new node's fields are written before the CAS that links it at level 0; each index link is
 * written into the node before the CAS that publishes it at that level (volatile accesses).
 * The linearization point of put/remove is the swap of the value word (existing key) or the
 * level-0 link CAS (new key).
 */
public final class SharedSkipListMap {
    /** The root type name under which ordered maps are registered. */
    public static final String ROOT_TYPE = "atlas.skiplist";
    static final int MAX_LEVEL = 16;
    static final StructLayout HEADER = MemoryLayout.structLayout(
            JAVA_LONG.withName("magic"),
            JAVA_LONG.withName("head"),        // pointer to a node of MAX_LEVEL levels, key unused
            JAVA_LONG.withName("size"));
    /** A node of height h is this prefix followed by h next pointers ({@link #nodeLayout}). */
    static final StructLayout NODE_PREFIX = MemoryLayout.structLayout(
            JAVA_LONG.withName("key"),
            JAVA_LONG.withName("value"),       // encoded; 0 = removed
            JAVA_LONG.withName("height"));
    private static final long MAGIC = 0x4154_4C41_5353_4C31L;   // "ATLASSL1"
    private static final long H_HEAD = HEADER.byteOffset(groupElement("head"));
    private static final long H_SIZE = HEADER.byteOffset(groupElement("size"));
    private static final long N_KEY = NODE_PREFIX.byteOffset(groupElement("key"));
    private static final long N_VALUE = NODE_PREFIX.byteOffset(groupElement("value"));
    private static final long N_HEIGHT = NODE_PREFIX.byteOffset(groupElement("height"));
    private static final long N_NEXT = NODE_PREFIX.byteSize();

    private final Region region;
    private final long header;
    private final long head;

    /** The layout of a node of {@code height} levels. */
    static StructLayout nodeLayout(int height) {
        return MemoryLayout.structLayout(NODE_PREFIX.memberLayouts().get(0), NODE_PREFIX.memberLayouts().get(1),
                NODE_PREFIX.memberLayouts().get(2), MemoryLayout.sequenceLayout(height, JAVA_LONG).withName("next"));
    }

    private SharedSkipListMap(Region region, long header) {
        this.region = region;
        this.header = header;
        region.checkMagic(header, MAGIC, "skip list");
        this.head = region.load(header, H_HEAD);
        if (region.load(head, N_HEIGHT) != MAX_LEVEL) {
            throw new IllegalStateException("skip list at 0x" + Long.toHexString(header) + ": head node height "
                    + region.load(head, N_HEIGHT) + ", expected " + MAX_LEVEL + ": damaged");
        }
    }

    /** Creates an empty ordered map in {@code region}. */
    public static SharedSkipListMap create(Region region) {
        region.checkWritable("SharedSkipListMap.create");
        long headNode = region.allocateZeroed(nodeLayout(MAX_LEVEL).byteSize());
        region.store(headNode, N_HEIGHT, MAX_LEVEL);
        long h = region.allocateZeroed(HEADER.byteSize());
        region.store(h, H_HEAD, headNode);
        region.store(h, 0, MAGIC);
        return new SharedSkipListMap(region, h);
    }

    /** Creates an ordered map and registers it as root {@code root} of {@code space}. */
    public static SharedSkipListMap create(SharedSpace space, String root) {
        SharedSkipListMap m = create(Region.of(space));
        space.setRoot(root, ROOT_TYPE, m.address());
        return m;
    }

    public static SharedSkipListMap open(Region region, long address) {
        return new SharedSkipListMap(region, address);
    }

    /** The ordered map registered as root {@code root} of {@code space}. */
    public static SharedSkipListMap open(SharedSpace space, String root) {
        return new SharedSkipListMap(Region.of(space), space.root(root, ROOT_TYPE));
    }

    public long address() {
        return header;
    }

    /** The value of {@code key}, if any. */
    public OptionalLong get(long key) {
        long n = ceilingNode(key);
        long v = n != 0 && region.load(n, N_KEY) == key ? region.load(n, N_VALUE) : 0;
        return v == 0 ? OptionalLong.empty() : OptionalLong.of(Region.decode(v));
    }

    /** The smallest key at or above {@code key} that has a value, if any. */
    public OptionalLong ceilingKey(long key) {
        for (long n = ceilingNode(key); n != 0; n = next(n, 0)) {
            if (region.load(n, N_VALUE) != 0) return OptionalLong.of(region.load(n, N_KEY));
        }
        return OptionalLong.empty();
    }

    /** Calls {@code visitor} in ascending key order for keys in [{@code from}, {@code to}) with a value (weakly consistent). */
    public void forEach(long from, long to, EntryVisitor visitor) {
        for (long n = ceilingNode(from); n != 0; n = next(n, 0)) {
            long k = region.load(n, N_KEY);
            if (k >= to) return;
            long v = region.load(n, N_VALUE);
            if (v != 0) visitor.visit(k, Region.decode(v));
        }
    }

    /**
     * Maps {@code key} to {@code value}.
     *
     * @return true if the key had no value before
     * @throws IllegalArgumentException for {@link Region#NO_VALUE}; nothing changed
     */
    public boolean put(long key, long value) {
        region.checkWritable("SharedSkipListMap.put");
        long stored = Region.encode(value);
        long[] preds = new long[MAX_LEVEL];
        long[] succs = new long[MAX_LEVEL];
        long fresh = 0;
        int height = height(key);
        for (;;) {
            long found = search(key, preds, succs);
            if (found != 0) {
                if (fresh != 0) region.free(fresh);   // never published
                boolean added = region.getAndSet(found, N_VALUE, stored) == 0;
                if (added) region.getAndAdd(header, H_SIZE, 1);
                return added;
            }
            if (fresh == 0) {
                fresh = region.allocateZeroed(nodeLayout(height).byteSize());
                region.store(fresh, N_KEY, key);
                region.store(fresh, N_VALUE, stored);
                region.store(fresh, N_HEIGHT, height);
            }
            region.store(fresh, N_NEXT, succs[0]);
            if (region.cas(preds[0], N_NEXT, succs[0], fresh)) break;
        }
        region.getAndAdd(header, H_SIZE, 1);
        for (int lvl = 1; lvl < height; lvl++) {
            for (;;) {
                region.store(fresh, N_NEXT + lvl * 8L, succs[lvl]);
                if (region.cas(preds[lvl], N_NEXT + lvl * 8L, succs[lvl], fresh)) break;
                search(key, preds, succs);
            }
        }
        return true;
    }

    /** Removes {@code key}'s value; true if it had one. */
    public boolean remove(long key) {
        region.checkWritable("SharedSkipListMap.remove");
        long n = ceilingNode(key);
        if (n == 0 || region.load(n, N_KEY) != key || region.getAndSet(n, N_VALUE, 0) == 0) return false;
        region.getAndAdd(header, H_SIZE, -1);
        return true;
    }

    /** The number of keys with a value (exact when no update is in progress, as {@link SharedHashMap#size()}). */
    public long size() {
        return region.load(header, H_SIZE);
    }

    /**
     * Verifies the structure (for a map nobody is changing): every level strictly ascending,
     * every node of an index level also on every level below, heights in range.
     *
     * @return the number of keys with a value
     * @throws IllegalStateException describing the first inconsistency
     */
    public long check() {
        java.util.HashSet<Long> below = null;
        long live = 0;
        for (int lvl = 0; lvl < MAX_LEVEL; lvl++) {
            java.util.HashSet<Long> here = new java.util.HashSet<>();
            long prevKey = Long.MIN_VALUE;
            boolean first = true;
            for (long n = next(head, lvl); n != 0; n = next(n, lvl)) {
                long k = region.load(n, N_KEY);
                long h = region.load(n, N_HEIGHT);
                if (h < 1 || h > MAX_LEVEL || lvl >= h) {
                    throw new IllegalStateException("node of key " + k + " with height " + h + " linked at level " + lvl);
                }
                if (!first && k <= prevKey) {
                    throw new IllegalStateException("level " + lvl + " not ascending: " + prevKey + " then " + k);
                }
                if (below != null && !below.contains(n)) {
                    throw new IllegalStateException("key " + k + " on level " + lvl + " but not on level " + (lvl - 1));
                }
                if (lvl == 0 && region.load(n, N_VALUE) != 0) live++;
                here.add(n);
                prevKey = k;
                first = false;
            }
            below = here;
        }
        return live;
    }

    /**
     * Fills preds/succs for every level: preds[i] the last node with a key below {@code key}
     * (or the head), succs[i] its successor. Returns the node of {@code key} if linked at level 0.
     */
    private long search(long key, long[] preds, long[] succs) {
        long s = descend(key, preds, succs);
        return s != 0 && region.load(s, N_KEY) == key ? s : 0;
    }

    /** The first node at level 0 with a key at or above {@code key}, or 0. */
    private long ceilingNode(long key) {
        return descend(key, null, null);
    }

    /** Descends from the top level to level 0 towards {@code key}, recording each level's pred/succ if asked; returns succ at level 0. */
    private long descend(long key, long[] preds, long[] succs) {
        long x = head;
        long n = 0;
        for (int lvl = MAX_LEVEL - 1; lvl >= 0; lvl--) {
            n = next(x, lvl);
            while (n != 0 && region.load(n, N_KEY) < key) {
                x = n;
                n = next(x, lvl);
            }
            if (preds != null) {
                preds[lvl] = x;
                succs[lvl] = n;
            }
        }
        return n;
    }

    private long next(long node, int lvl) {
        return region.load(node, N_NEXT + lvl * 8L);
    }

    /** 1 + (trailing zero bits of the key's hash) / 2, at most MAX_LEVEL: P(height > h) = 4^-h. */
    static int height(long key) {
        int tz = Long.numberOfTrailingZeros(SharedHashMap.mix(key) | (1L << 62));
        return Math.min(MAX_LEVEL, 1 + tz / 2);
    }
}
