package dev.atlas.patch.shadow;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A concurrent map keyed by object identity that does not keep its keys alive: the entry of
 * an object disappears after the object is collected.
 *
 * <p>Threading: shared; {@link #computeIfAbsent} runs the function at most once per key
 * (it is {@link ConcurrentHashMap#computeIfAbsent}). Stale entries are expunged on writes.
 */
final class WeakIdentityMap<V> {
    private final ConcurrentHashMap<Object, V> map = new ConcurrentHashMap<>();
    private final ReferenceQueue<Object> queue = new ReferenceQueue<>();

    /** A weak key: equal to another weak key or to a {@link Probe} of the same referent. */
    private static final class WeakKey extends WeakReference<Object> {
        private final int hash;

        WeakKey(Object referent, ReferenceQueue<Object> q) {
            super(referent, q);
            this.hash = System.identityHashCode(referent);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            if (o == this) {
                return true;
            }
            Object mine = get();
            return mine != null && (o instanceof WeakKey w ? w.get() == mine : o instanceof Probe p && p.obj == mine);
        }
    }

    /** A short-lived strong key for lookups. */
    private record Probe(Object obj) {
        @Override
        public int hashCode() {
            return System.identityHashCode(obj);
        }

        @Override
        public boolean equals(Object o) {
            return o == this || (o instanceof WeakKey w ? w.get() == obj : o instanceof Probe p && p.obj == obj);
        }
    }

    V get(Object key) {
        return map.get(new Probe(key));
    }

    V computeIfAbsent(Object key, Function<Object, V> f) {
        V v = map.get(new Probe(key));
        if (v != null) {
            return v;
        }
        expunge();
        return map.computeIfAbsent(new WeakKey(key, queue), k -> f.apply(key));
    }

    /** Removes the entry of {@code key} if its value is {@code value} (identity of the value, as {@link ConcurrentHashMap#remove(Object, Object)} compares with equals). */
    boolean remove(Object key, V value) {
        return map.remove(new Probe(key), value);
    }

    int size() {
        expunge();
        return map.size();
    }

    private void expunge() {
        for (Object r; (r = queue.poll()) != null; ) {
            map.remove(r);
        }
    }
}
