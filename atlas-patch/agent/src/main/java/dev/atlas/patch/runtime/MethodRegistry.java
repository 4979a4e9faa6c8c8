package dev.atlas.patch.runtime;

import dev.atlas.core.ViewSpace;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Every patchable method the instrumenter has seen, by id (for the entry guards) and by
 * class (for the patcher), and the fingerprint of each instrumented class as loaded.
 *
 * <p>Threading: shared. Registration happens on class-loading threads (inside the
 * transformer), lookups on any thread. Ids are dense and never reused; a class transformed
 * again (retransformation) gets back the ids it had.
 */
public final class MethodRegistry {
    private static final int CHUNK = 1024;

    private final Object growLock = new Object();
    private volatile AtomicReferenceArray<MethodSlot> slots = new AtomicReferenceArray<>(CHUNK);
    private int nextId;   // guarded by growLock
    private final Map<Key, MethodSlot> byKey = new ConcurrentHashMap<>();
    private final Map<String, List<LoadedClassInfo>> byClass = new ConcurrentHashMap<>();
    private final Map<Integer, List<MethodSlot>> overriders = new ConcurrentHashMap<>();
    private final java.util.Set<String> addedNames = ConcurrentHashMap.newKeySet();   // "name" and "name descriptor"
    private final ViewSpace space;
    private final int linkIndex;

    /**
     * An empty registry of the methods of code views whose views are in {@code space}; it
     * registers itself in {@link Linkage}, where the code woven for it finds it.
     */
    MethodRegistry(ViewSpace space) {
        this.space = Objects.requireNonNull(space, "space");
        this.linkIndex = Linkage.register(this);
    }

    /** The view space whose views' tables hold the bodies of these methods. */
    public ViewSpace space() {
        return space;
    }

    /** The number that code woven for this registry names in its bootstrap arguments (see {@link Dispatch}). */
    public int linkIndex() {
        return linkIndex;
    }

    /**
     * A method's identity. equals and hashCode are written out: a record's generated ones are
     * invokedynamic call sites bootstrapped (ObjectMethods, with streams) on their first call,
     * which for this key was measured at the patch instant (JFR, patch demo).
     */
    private record Key(ClassLoaderKey loader, String className, String name, String descriptor) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(k.loader, loader) && Objects.equals(k.className, className)
                    && Objects.equals(k.name, name) && Objects.equals(k.descriptor, descriptor);
        }

        @Override
        public int hashCode() {
            return ((Objects.hashCode(loader) * 31 + Objects.hashCode(className)) * 31 + Objects.hashCode(name)) * 31
                    + Objects.hashCode(descriptor);
        }
    }

    /** Identity of a class loader for map keys (null = bootstrap). */
    private record ClassLoaderKey(ClassLoader loader) {
        @Override
        public boolean equals(Object o) {
            return o instanceof ClassLoaderKey k && k.loader == loader;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(loader);
        }
    }

    /**
     * What the instrumenter recorded for one class in one loader.
     *
     * @param constructionCalls the calls its constructors' re-routing guards can make, in case
     *        order ({@code "super(..)V"}, {@code "this(..)V"}); empty for an interface
     */
    public record LoadedClassInfo(ClassLoader loader, String className, String fingerprint, List<MethodSlot> methods,
                                  List<String> constructionCalls) {
        public LoadedClassInfo(ClassLoader loader, String className, String fingerprint, List<MethodSlot> methods) {
            this(loader, className, fingerprint, methods, List.of());
        }
    }

    /** The slot for a method, registering it first if new. */
    public MethodSlot register(ClassLoader loader, String className, String name, String descriptor, boolean isStatic) {
        Key k = new Key(new ClassLoaderKey(loader), className, name, descriptor);
        MethodSlot s = byKey.get(k);
        if (s != null) {
            return s;
        }
        synchronized (growLock) {
            s = byKey.get(k);
            if (s != null) {
                return s;
            }
            int id = nextId++;
            AtomicReferenceArray<MethodSlot> a = slots;
            if (id >= a.length()) {
                AtomicReferenceArray<MethodSlot> b = new AtomicReferenceArray<>(a.length() * 2);
                for (int i = 0; i < a.length(); i++) {
                    b.set(i, a.get(i));
                }
                a = b;
            }
            s = new MethodSlot(space, id, loader, className, name, descriptor, isStatic);
            a.set(id, s);
            slots = a;   // volatile write publishes the slot
            byKey.put(k, s);
            return s;
        }
    }

    /**
     * The slot of a method a patch adds, registering it first if new; from then on classes
     * loaded later that call a method of that name and descriptor get their calls linked by
     * {@link OutsideCalls} ({@link #namesAddedMethod}).
     */
    public MethodSlot registerAdded(ClassLoader loader, String className, String name, String descriptor, boolean isStatic) {
        MethodSlot s = register(loader, className, name, descriptor, isStatic);
        addedNames.add(name + " " + descriptor);
        addedNames.add(name);
        return s;
    }

    /** Records that added method {@code overrider} overrides {@code overridden} (idempotent). */
    void addOverrider(MethodSlot overridden, MethodSlot overrider) {
        overriders.compute(overridden.id(), (k, l) -> {
            List<MethodSlot> out = l == null ? new CopyOnWriteArrayList<>() : l;
            if (!out.contains(overrider)) {
                out.add(overrider);
            }
            return out;
        });
    }

    /** The added methods that override method {@code id}, by id; empty if none. */
    Map<Integer, List<MethodSlot>> overriders() {
        return overriders;
    }

    /** Whether some patch prepared here added a method of this name (cheap test before {@link #namesAddedMethod(String, String)}). */
    public boolean hasAddedName(String name) {
        return !addedNames.isEmpty() && addedNames.contains(name);
    }

    /** Whether some patch prepared here added a method of this name and descriptor (to any class). */
    public boolean namesAddedMethod(String name, String descriptor) {
        return !addedNames.isEmpty() && addedNames.contains(name + " " + descriptor);
    }

    /** Whether any patch prepared here added a method. */
    public boolean hasAddedMethods() {
        return !addedNames.isEmpty();
    }

    /** The slot of a method registered before (an instrumented method, or one a patch added), or null. */
    public MethodSlot find(ClassLoader loader, String className, String name, String descriptor) {
        return byKey.get(new Key(new ClassLoaderKey(loader), className, name, descriptor));
    }

    /** Records a transformed class (after its methods were registered). */
    public void classTransformed(ClassLoader loader, String className, String fingerprint, List<MethodSlot> methods) {
        classTransformed(loader, className, fingerprint, methods, List.of());
    }

    /** Records a transformed class with the calls of its constructors' re-routing guards. */
    public void classTransformed(ClassLoader loader, String className, String fingerprint, List<MethodSlot> methods,
                                 List<String> constructionCalls) {
        byClass.compute(className, (n, list) -> {
            List<LoadedClassInfo> l = list == null ? new CopyOnWriteArrayList<>() : list;
            l.removeIf(i -> i.loader() == loader);
            l.add(new LoadedClassInfo(loader, className, fingerprint, List.copyOf(methods), List.copyOf(constructionCalls)));
            return l;
        });
    }

    public MethodSlot slot(int id) {
        AtomicReferenceArray<MethodSlot> a = slots;
        MethodSlot s = id >= 0 && id < a.length() ? a.get(id) : null;
        if (s == null) {
            throw new IllegalArgumentException("no patchable method with id " + id);
        }
        return s;
    }

    /** The instrumented copies of a class (one per class loader that loaded it). */
    public List<LoadedClassInfo> loaded(String className) {
        List<LoadedClassInfo> l = byClass.get(Objects.requireNonNull(className));
        return l == null ? List.of() : List.copyOf(l);
    }

    /** Class loaders that have loaded at least one instrumented class. */
    public List<ClassLoader> loaders() {
        List<ClassLoader> out = new ArrayList<>();
        for (List<LoadedClassInfo> l : byClass.values()) {
            for (LoadedClassInfo i : l) {
                if (!containsSame(out, i.loader())) {
                    out.add(i.loader());
                }
            }
        }
        return out;
    }

    private static boolean containsSame(List<?> list, Object o) {
        for (Object x : list) {
            if (x == o) {
                return true;
            }
        }
        return false;
    }

    public int classCount() {
        return byClass.size();
    }

    public int methodCount() {
        return byKey.size();
    }
}
