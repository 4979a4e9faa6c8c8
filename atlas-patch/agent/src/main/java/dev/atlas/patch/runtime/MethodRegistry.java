package dev.atlas.patch.runtime;

import dev.atlas.core.ViewSpace;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Every patchable method the instrumenter has seen, by id (for the entry guards) and by
 * class (for the patcher), and the fingerprint of each instrumented class as loaded.
 *
 * <p>Threading: shared. Registration happens on class-loading threads (inside the
 * transformer), lookups on any thread. Ids are dense and never reused; a class transformed
 * again (retransformation) gets back the ids it had.
 *
 * <p>Memory: class loaders are held weakly (here, in {@link MethodSlot} and in
 * {@link LoadedClassInfo}), so a loader that nothing else holds (an ended atlas-ulp program's)
 * is collected with its classes; the entries of collected loaders are purged when the
 * registry has doubled since the last purge, so the registry holds about the methods of the
 * live loaders, not of every loader it ever saw. A purged id is not reused (a code table of a
 * view may still name it).
 */
public final class MethodRegistry {
    private static final int FIRST_PURGE = 4096;

    private final Object growLock = new Object();
    private final Map<Integer, MethodSlot> slots = new ConcurrentHashMap<>();
    private int nextId;   // guarded by growLock
    private int purgeAt = FIRST_PURGE;   // guarded by growLock
    private final Map<Key, MethodSlot> byKey = new ConcurrentHashMap<>();
    private final Map<String, List<LoadedClassInfo>> byClass = new ConcurrentHashMap<>();
    private final Map<Integer, List<MethodSlot>> overriders = new ConcurrentHashMap<>();
    private final java.util.Set<String> addedNames = ConcurrentHashMap.newKeySet();   // "name" and "name descriptor"
    private final java.util.Set<String> viewStatics = ConcurrentHashMap.newKeySet();   // "owner name descriptor"
    private final java.util.concurrent.atomic.AtomicInteger addedGeneration = new java.util.concurrent.atomic.AtomicInteger();
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

    /**
     * Identity of a class loader for map keys (null = bootstrap), held weakly: a key whose
     * loader was collected equals only itself, and is purged.
     */
    private static final class ClassLoaderKey {
        private final WeakReference<ClassLoader> loader;
        private final boolean bootstrap;
        private final int hash;

        ClassLoaderKey(ClassLoader loader) {
            this.loader = new WeakReference<>(loader);
            this.bootstrap = loader == null;
            this.hash = System.identityHashCode(loader);
        }

        boolean collected() {
            return !bootstrap && loader.refersTo(null);
        }

        @Override
        public boolean equals(Object o) {
            if (o == this) {
                return true;
            }
            if (!(o instanceof ClassLoaderKey k) || k.hash != hash || k.bootstrap != bootstrap) {
                return false;
            }
            ClassLoader l = loader.get();
            return bootstrap || (l != null && k.loader.refersTo(l));
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /**
     * What the instrumenter recorded for one class in one loader (held weakly).
     *
     * @param loaderRef         the loader (its referent null for the bootstrap loader, and once
     *                          the loader was collected); {@link #loader()} reads it
     * @param constructionCalls the calls its constructors' re-routing guards can make, in case
     *        order ({@code "super(..)V"}, {@code "this(..)V"}); empty for an interface
     */
    public record LoadedClassInfo(WeakReference<ClassLoader> loaderRef, String className, String fingerprint,
                                  List<MethodSlot> methods, List<String> constructionCalls) {
        public LoadedClassInfo(ClassLoader loader, String className, String fingerprint, List<MethodSlot> methods,
                               List<String> constructionCalls) {
            this(loader == null ? BOOTSTRAP : new WeakReference<>(loader), className, fingerprint, methods, constructionCalls);
        }

        public LoadedClassInfo(ClassLoader loader, String className, String fingerprint, List<MethodSlot> methods) {
            this(loader, className, fingerprint, methods, List.of());
        }

        /** The class's loader (null: the bootstrap loader, or a loader that was collected). */
        public ClassLoader loader() {
            return loaderRef.get();
        }

        private static final WeakReference<ClassLoader> BOOTSTRAP = new WeakReference<>(null);

        /** Whether its loader was collected. */
        boolean collected() {
            return loaderRef != BOOTSTRAP && loaderRef.refersTo(null);
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
            if (byKey.size() >= purgeAt) {
                purgeCollected();
                purgeAt = Math.max(FIRST_PURGE, byKey.size() * 2);
            }
            int id = nextId++;
            s = new MethodSlot(space, id, loader, className, name, descriptor, isStatic);
            slots.put(id, s);   // published before the key: a class being transformed finds its slot
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
        addedGeneration.incrementAndGet();
        return s;
    }

    /** The name of the slot that holds, per view, the running member whose access a patch widens. */
    public static final String WIDENED_PREFIX = "atlas$widened$";

    /**
     * The slot holding, per view, the running method or constructor {@code className.name descriptor}
     * with the access a patch widened it to (named {@value #WIDENED_PREFIX}{@code name}, registering it
     * first if new); from then on classes loaded later that call a method of that name and descriptor
     * get their calls linked by {@link OutsideCalls}, which links a call the running access refuses
     * through this slot.
     */
    public MethodSlot registerWidened(ClassLoader loader, String className, String name, String descriptor, boolean isStatic) {
        MethodSlot s = register(loader, className, WIDENED_PREFIX + name, descriptor, isStatic);
        addedNames.add(name + " " + descriptor);
        addedNames.add(name);
        return s;
    }

    /**
     * A number that changes whenever a method is registered as added ({@link #registerAdded}):
     * a selection computed from the added methods ({@link InterfaceDispatch}) is recomputed then.
     */
    int addedGeneration() {
        return addedGeneration.get();
    }

    /** Every instrumented class in every live loader (for checks over all loaded implementations). */
    List<LoadedClassInfo> allLoaded() {
        List<LoadedClassInfo> out = new ArrayList<>();
        for (List<LoadedClassInfo> l : byClass.values()) {
            for (LoadedClassInfo i : l) {
                if (!i.collected()) {
                    out.add(i);
                }
            }
        }
        return out;
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

    /** The name of the slot that holds a view's getter of a static field with statics of the view's own. */
    public static final String VIEW_STATIC_PREFIX = "atlas$viewStatic$";

    /**
     * The slot holding, per view, the getter of static field {@code owner.field} for views
     * whose patch gives the field a value of their own (a static slot {@code ()descriptor}
     * named {@value #VIEW_STATIC_PREFIX}{@code field}, registering it first if new); from then
     * on classes loaded later that read the field get their reads linked by {@link ViewStaticReads}.
     */
    public MethodSlot registerViewStatic(ClassLoader loader, String owner, String field, String descriptor) {
        MethodSlot s = register(loader, owner, VIEW_STATIC_PREFIX + field, "()" + descriptor, true);
        viewStatics.add(owner + " " + field + " " + descriptor);
        return s;
    }

    /** Whether some patch prepared here gave static field {@code owner.name} a value per view. */
    public boolean namesViewStatic(String owner, String name, String descriptor) {
        return !viewStatics.isEmpty() && viewStatics.contains(owner + " " + name + " " + descriptor);
    }

    /** Whether any patch prepared here gave a static field a value per view. */
    public boolean hasViewStatics() {
        return !viewStatics.isEmpty();
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

    /**
     * Drops what the registry holds of collected class loaders: their slots, keys, class
     * records and overriders. Under {@code growLock}.
     */
    private void purgeCollected() {
        byKey.entrySet().removeIf(e -> {
            if (e.getKey().loader.collected()) {
                slots.remove(e.getValue().id());
                overriders.remove(e.getValue().id());
                return true;
            }
            return false;
        });
        byClass.values().forEach(l -> l.removeIf(LoadedClassInfo::collected));
        byClass.values().removeIf(List::isEmpty);
        overriders.values().forEach(l -> l.removeIf(o -> !slots.containsKey(o.id())));
    }

    /** How many patchable methods the registry holds now (those of collected loaders purged). */
    public int liveMethodCount() {
        return slots.size();
    }

    public MethodSlot slot(int id) {
        MethodSlot s = slots.get(id);
        if (s == null) {
            throw new IllegalArgumentException("no patchable method with id " + id);
        }
        return s;
    }

    /** The instrumented copies of a class (one per class loader that loaded it). */
    public List<LoadedClassInfo> loaded(String className) {
        List<LoadedClassInfo> l = byClass.get(Objects.requireNonNull(className));
        if (l == null) {
            return List.of();
        }
        List<LoadedClassInfo> live = new ArrayList<>(l.size());
        for (LoadedClassInfo i : l) {
            if (!i.collected()) {
                live.add(i);
            }
        }
        return List.copyOf(live);
    }

    /** Live class loaders that have loaded at least one instrumented class. */
    public List<ClassLoader> loaders() {
        List<ClassLoader> out = new ArrayList<>();
        for (List<LoadedClassInfo> l : byClass.values()) {
            for (LoadedClassInfo i : l) {
                ClassLoader loader = i.loader();   // read once: null is the bootstrap loader unless collected
                if ((loader != null || !i.collected()) && !containsSame(out, loader)) {
                    out.add(loader);
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
