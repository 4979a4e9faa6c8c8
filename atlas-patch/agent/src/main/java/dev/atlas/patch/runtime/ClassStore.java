package dev.atlas.patch.runtime;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A value per class, stored with the class itself: it is reachable exactly as long as the
 * class is, so a hidden class of a rolled-back patch can unload, and a class loader with
 * its classes, with nothing to prune.
 *
 * <p>Implementation notes: a {@link ClassValue} computes its value on first use and cannot
 * be set; {@link #put} removes the class's value, parks the new one in a hand-off map, and
 * makes the {@code ClassValue} compute it from there at once, which takes it out of the map
 * again. So the map holds a class only during {@code put}. Two {@code put}s of one class
 * race; callers serialise them (patches are prepared under the code views' lock).
 *
 * <p>Threading: {@link #get} from any thread; {@link #put} from one thread at a time per class.
 */
final class ClassStore<T> {
    private final Map<Class<?>, T> handoff = new ConcurrentHashMap<>();
    private final ClassValue<T> values = new ClassValue<>() {
        @Override
        protected T computeValue(Class<?> type) {
            return handoff.remove(type);   // null if never put: get() stays null until put
        }
    };

    /** Sets the value of {@code type}, replacing any earlier one. */
    void put(Class<?> type, T value) {
        values.remove(type);
        handoff.put(type, value);
        values.get(type);
        handoff.remove(type);   // in case a concurrent get() computed first (then it holds the value already)
    }

    /** The value of {@code type}, or null if none was put. */
    T get(Class<?> type) {
        return values.get(type);   // a "none" cached here is removed by the next put
    }
}
