package dev.atlas.patch.runtime;

import dev.atlas.patch.shadow.RebuildMarks;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The table entries of the object rebuilds ({@link ObjectRebuild}) of a new view: for each rebuild
 * the view has (its own patch's, and those of the patches under it), every instance method the
 * class, or a subclass loaded and instrumented now, declares gets an entry that makes sure the receiver is rebuilt before its body in the view
 * runs, and every constructor's replacement marks the object it builds first.
 *
 * <p>Entries compose with the others of the view: a method without an entry of its own runs its
 * original body under the rebuild's entry (a wrapper whose base is the original, asked for through
 * the guard's one-shot own-body request, as an override dispatcher does: {@link OverrideDispatch}); a
 * replacement or a dispatcher runs under it as it is, and stays the entry's base for super calls. A
 * later patch that sets an entry of such a class gets the rebuilds of the views under it around its
 * own entry; entries it does not set are inherited, already wrapped.
 *
 * <p>Threading: one operator thread at a time (called by {@link PatchPreparer} under the
 * {@link CodeViews} lock). The marks it hands out are shared ({@link RebuildMarks}).
 */
final class ObjectRebuildEntries {
    /** Marks per (class loader, class, patch) for the life of the code views: a re-apply reuses them. */
    private final Map<String, RebuildMarks> marks = new HashMap<>();
    /** The rebuilds each applied id prepared last (looked up for the patches under a new view). */
    private final Map<String, List<ObjectRebuild>> byApplied = new HashMap<>();

    /**
     * The rebuild of class {@code c}'s objects by {@code method} ({@code name + descriptor}) for the
     * patch {@code appliedId}.
     *
     * @throws PatchRejectedException if the loaded class has no such instance method
     */
    ObjectRebuild create(String patchId, String appliedId, Class<?> c, String className, String methods) {
        List<MethodHandle> calls = new ArrayList<>();
        int from = 0;
        while (from < methods.length()) {
            int end = methods.indexOf('\n', from);
            String method = methods.substring(from, end < 0 ? methods.length() : end);
            from = end < 0 ? methods.length() : end + 1;
            int paren = method.indexOf('(');
            String name = paren <= 0 ? "" : method.substring(0, paren);
            try {
                MethodType t = MethodType.fromMethodDescriptorString(method.substring(Math.max(paren, 0)), c.getClassLoader());
                if (t.parameterCount() != 0) {
                    throw new IllegalArgumentException("takes parameters");
                }
                calls.add(FullLookups.of(c).findVirtual(c, name, t)
                        .asType(MethodType.methodType(void.class, c)).asType(MethodType.methodType(void.class, Object.class)));
            } catch (ReflectiveOperationException | IllegalArgumentException | TypeNotPresentException e) {
                throw new PatchRejectedException("patch " + patchId + " rebuilds the objects of " + c.getName() + " made before "
                        + "the apply by re-running " + method + ", which the loaded class does not declare as an instance "
                        + "method without parameters: " + e, e);
            }
        }
        if (calls.isEmpty()) {
            throw new PatchRejectedException("patch " + patchId + " rebuilds the objects of " + c.getName()
                    + " but names no method to re-run");
        }
        String key = CodeTable.classKey(c.getClassLoader(), className) + "#" + patchId;
        RebuildMarks m = marks.get(key);
        if (m == null) {
            m = new RebuildMarks();
            marks.put(key, m);
        }
        return new ObjectRebuild(appliedId, c.getClassLoader(), className, methods, m, calls.toArray(new MethodHandle[0]));
    }

    /**
     * Wraps the new view's entries: {@code entries}, {@code wrapping} and {@code bases} are the
     * view's own (as {@link CodeTable#with(Map, Set, Map, Map, String)} takes them) and are changed
     * in place; slots whose guards must be switched on are added to {@code activate}.
     *
     * @param mine this patch's rebuilds
     * @throws PatchRejectedException if a constructor of a class whose objects this patch rebuilds
     *         has no replacement in the patch (a patch not built with {@code --rebuild-objects})
     */
    void wrap(MethodRegistry registry, CodeTable parent, String patchId, String appliedId, List<ObjectRebuild> mine,
              Map<Integer, MethodHandle> entries, Set<Integer> wrapping, Map<Integer, MethodHandle> bases,
              List<MethodSlot> activate) {
        List<ObjectRebuild> active = new ArrayList<>();
        for (String id : parent.patchIds()) {
            List<ObjectRebuild> under = byApplied.get(id);
            if (under != null && !id.equals(appliedId)) {
                active.addAll(under);
            }
        }
        active.addAll(mine);
        byApplied.put(appliedId, List.copyOf(mine));
        for (int k = active.size() - 1; k >= 0; k--) {   // the newest innermost: the oldest rebuild runs first
            ObjectRebuild r = active.get(k);
            boolean own = k >= active.size() - mine.size();
            MethodRegistry.LoadedClassInfo info = null;
            for (MethodRegistry.LoadedClassInfo i : registry.loaded(r.className())) {
                if (r.loader() != null && i.loader() == r.loader()) {
                    info = i;
                }
            }
            if (info == null) {
                continue;   // its loader's copy is gone
            }
            Class<?> c;
            try {
                c = Class.forName(PatchPreparer.dotted(r.className()), false, r.loader());
            } catch (ClassNotFoundException e) {
                continue;
            }
            wrapClass(info, c, c, r, own, patchId, parent, entries, wrapping, bases, activate);
            for (MethodRegistry.LoadedClassInfo sub : subclasses(registry, c)) {
                Class<?> below = classOf(sub);
                if (below != null) {
                    wrapClass(sub, c, below, r, own, patchId, parent, entries, wrapping, bases, activate);
                }
            }
        }
    }

    /**
     * Wraps the entries of the instance methods {@code declaring} (the rebuilt class {@code c}, or a
     * loaded, instrumented subclass of it) declares; the constructors' of {@code c} only (a
     * subclass's constructor reaches one of them through its super call).
     */
    private static void wrapClass(MethodRegistry.LoadedClassInfo info, Class<?> c, Class<?> declaring, ObjectRebuild r,
                                  boolean own, String patchId, CodeTable parent, Map<Integer, MethodHandle> entries,
                                  Set<Integer> wrapping, Map<Integer, MethodHandle> bases, List<MethodSlot> activate) {
        for (MethodSlot s : info.methods()) {
            if (s.isStatic() || s.name().startsWith("atlas$") || s.name().equals("<clinit>")) {
                continue;
            }
            Integer id = s.id();
            MethodType type = s.dispatchType(declaring);
            if (s.name().equals("<init>")) {
                if (declaring != c) {
                    continue;
                }
                MethodHandle e = entries.get(id);
                if (e == null) {
                    if (own) {
                        throw new PatchRejectedException("patch " + patchId + " rebuilds the objects of " + c.getName()
                                + " made before the apply, but does not replace its constructor " + s.descriptor()
                                + ", so the objects that constructor makes in the new view could not be told from older "
                                + "ones (the patch was not made by atlas patch build --rebuild-objects)");
                    }
                    continue;
                }
                entries.put(id, MethodHandles.foldArguments(e.asType(type), combiner(ObjectRebuild.MARK, r, type)));
                continue;
            }
            if (!own && !entries.containsKey(id)) {
                continue;   // inherited from the view under it, already wrapped
            }
            MethodHandle inner;
            MethodHandle base;
            if (entries.containsKey(id)) {
                inner = entries.get(id);
                base = wrapping.contains(id) ? bases.get(id) : inner;
            } else {
                CodeTable.Entry pe = parent.entry(id);
                if (pe != null) {
                    inner = pe.handle();
                    base = pe.wrapper() ? pe.base() : pe.handle();
                } else {
                    inner = MethodHandles.foldArguments(CodeViews.ownBodyOf(s),
                            MethodHandles.insertArguments(Dispatch.REQUEST_OWN_BODY, 0, s.id()));
                    base = null;
                }
            }
            entries.put(id, MethodHandles.foldArguments(inner.asType(type), combiner(ObjectRebuild.ENSURE, r, type)));
            wrapping.add(id);
            if (base == null) {
                bases.remove(id);
            } else {
                bases.put(id, base);
            }
            if (!activate.contains(s)) {
                activate.add(s);
            }
        }
    }

    /** The loaded, instrumented classes below {@code c} (in any loader that sees it). */
    private static List<MethodRegistry.LoadedClassInfo> subclasses(MethodRegistry registry, Class<?> c) {
        List<MethodRegistry.LoadedClassInfo> out = new ArrayList<>();
        for (MethodRegistry.LoadedClassInfo i : registry.allLoaded()) {
            Class<?> k = classOf(i);
            if (k != null && k != c && c.isAssignableFrom(k)) {
                out.add(i);
            }
        }
        return out;
    }

    private static Class<?> classOf(MethodRegistry.LoadedClassInfo i) {
        ClassLoader l = i.loader();
        if (l == null) {
            return null;
        }
        try {
            return Class.forName(PatchPreparer.dotted(i.className()), false, l);
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
    }

    /**
     * Forgets the rebuilds of the classes of {@code scope}'s loader, released by
     * {@link CodeViews#forgetLoader}: nothing here keeps it reachable afterwards.
     */
    void forget(LoaderScope scope) {
        for (List<ObjectRebuild> rs : byApplied.values()) {
            for (ObjectRebuild r : rs) {
                ClassLoader l = r.loader();
                if (l != null && scope.includes(l)) {
                    r.release();
                }
            }
        }
        String prefix = scope.name() + "!";
        marks.keySet().removeIf(new java.util.function.Predicate<String>() {
            @Override
            public boolean test(String key) {
                return key.startsWith(prefix);
            }
        });
    }

    /** {@code action} bound to {@code r}, taking the receiver of {@code type} and ignoring the other arguments. */
    private static MethodHandle combiner(MethodHandle action, ObjectRebuild r, MethodType type) {
        MethodHandle h = MethodHandles.insertArguments(action, 0, r).asType(MethodType.methodType(void.class, type.parameterType(0)));
        return MethodHandles.dropArguments(h, 1, type.parameterList().subList(1, type.parameterCount()));
    }
}
