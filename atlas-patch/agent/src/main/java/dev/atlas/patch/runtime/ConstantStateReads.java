package dev.atlas.patch.runtime;

import dev.atlas.core.ViewSpace;
import dev.atlas.patch.format.AddedClass;
import dev.atlas.patch.format.ClassPatch;
import dev.atlas.patch.format.Patch;
import dev.atlas.patch.format.StaticStateSummary;

import java.lang.invoke.CallSite;
import java.lang.invoke.ConstantCallSite;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Map;

/**
 * Reads of an enum's instance fields by a patch's new code, when the patch gives running
 * constants of the enum the new release's state in the new view (the builder's
 * {@code EnumConstantStates}): the new view's run of the new static initialiser built a
 * <em>twin</em> of each such constant (an unpublished object of the enum, constructed by the
 * new release's code with the running constant's name and ordinal) and stored it in its
 * holder's array {@value StaticStateSummary#CONSTANT_STATES_FIELD}, by ordinal. The builder
 * rewrites {@code getfield E.f} in new code into
 * {@snippet lang=text :
 *   invokedynamic f(E)T  [PatchLinker.linkConstantState, "E/Internal", "E$atlas$ViewStatics$$AtlasPatch$id8"]
 * }
 * which reads {@code f} of the receiver's twin when the calling thread's view has the patch
 * (slot {@value #SLOT} of {@code E}, whose entry in the patch's view maps a running constant
 * to its twin) and the receiver has one, else the receiver's own {@code f}. So the running
 * constant keeps its identity ({@code ==}, {@code name()}, {@code ordinal()}, {@code values()},
 * {@code valueOf}, {@code EnumMap} keys) and has the new release's state in the new view and
 * the old release's elsewhere (the old view, after a rollback, and in views of patches that
 * do not contain this one).
 *
 * <p>What reads the running fields: code outside the patch (the builder refuses the twins
 * unless every instance field of the enum is private, so only the enum's nest can read them,
 * and every reader in the build is replaced), reflection ({@code Field.get}) and method handles.
 *
 * <p>Implementation notes: the twins are written during the holder's class initialisation
 * (run at the apply by the patch's generated hook, on the hook thread, in the new view), so
 * the JVM's class-initialisation lock publishes them to every thread that reads the holder's
 * field afterwards. A rollback leaves the twins in the holder, and a re-apply of the same
 * patch reuses the holder and so the same twins. Per read: a thread-local read, a volatile
 * read and a table probe (the view's entry), then a static field read and an array load.
 *
 * <p>Threading: bootstraps run on the preparing thread (prelinked); {@link #bind} on the
 * preparing thread, under the code views' lock; reads on any thread.
 */
final class ConstantStateReads {
    /** The static slot of the enum whose entry in a view maps running constants to their twins. */
    static final String SLOT = "atlas$constantStates";
    static final String SLOT_DESCRIPTOR = "(Ljava/lang/Object;)Ljava/lang/Object;";
    private static final MethodHandle SELECT;
    private static final MethodHandle TWIN;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            SELECT = l.findStatic(ConstantStateReads.class, "select", MethodType.methodType(Object.class, ViewSpace.class,
                    MethodSlot.class, Object.class));
            TWIN = l.findStatic(ConstantStateReads.class, "twin", MethodType.methodType(Object.class, MethodHandle.class,
                    Object.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private ConstantStateReads() {}

    /** The call site of a rewritten {@code getfield owner.name}: {@code type} is {@code (E)T}. */
    static CallSite link(MethodHandles.Lookup caller, String name, MethodType type, String owner, MethodRegistry registry)
            throws ReflectiveOperationException {
        Class<?> e = Linkage.ownerClass(caller, owner);
        MethodHandle getter = MethodHandles.privateLookupIn(e, MethodHandles.lookup()).findGetter(e, name, type.returnType());
        MethodSlot slot = registry.register(e.getClassLoader(), owner, SLOT, SLOT_DESCRIPTOR, true);
        MethodHandle twin = MethodHandles.insertArguments(SELECT, 0, registry.space(), slot).asType(MethodType.methodType(e, e));
        return new ConstantCallSite(MethodHandles.filterArguments(getter, 0, twin).asType(type));
    }

    /**
     * At preparation: when {@code cp}'s holder class has twins of running constants, the
     * slot's entry in the new table ({@code overrides}) maps a constant to its twin.
     *
     * @throws PatchRejectedException if the holder's twins cannot be read
     */
    static void bind(MethodRegistry registry, Patch patch, ClassPatch cp, ClassLoader loader, AddedClassNames names,
                     Map<Integer, MethodHandle> overrides) {
        String c = cp.className();
        for (AddedClass ac : patch.addedClasses()) {
            if (!ac.className().startsWith(c + StaticStateSummary.HOLDER_MARKER)) {
                continue;
            }
            try {
                Class<?> holder = Class.forName(names.name(ac).replace('/', '.'), false, loader);
                boolean has = false;
                for (java.lang.reflect.Field f : holder.getDeclaredFields()) {
                    has |= f.getName().equals(StaticStateSummary.CONSTANT_STATES_FIELD);
                }
                if (!has) {
                    continue;
                }
                MethodHandle states = MethodHandles.privateLookupIn(holder, MethodHandles.lookup())
                        .findStaticGetter(holder, StaticStateSummary.CONSTANT_STATES_FIELD, Object[].class);
                MethodSlot slot = registry.register(loader, c, SLOT, SLOT_DESCRIPTOR, true);
                overrides.put(slot.id(), MethodHandles.insertArguments(TWIN, 0, states));
            } catch (ReflectiveOperationException | LinkageError ex) {
                throw new PatchRejectedException("patch " + patch.id() + ": the new view's state of the constants of "
                        + c.replace('/', '.') + " (" + ac.className().replace('/', '.') + ") cannot be read: " + ex, ex);
            }
        }
    }

    /** The receiver's twin in the calling thread's view, or the receiver. */
    static Object select(ViewSpace space, MethodSlot slot, Object receiver) throws Throwable {
        final CodeTable t = space.currentForCall().get(CodeViews.CODE);
        final MethodHandle h = t == null ? null : t.handle(slot.id());
        return h == null ? receiver : (Object) h.invokeExact(receiver);
    }

    /** The twin of a running constant ({@code states} reads the holder's array), or the receiver when it has none. */
    static Object twin(MethodHandle states, Object receiver) throws Throwable {
        Object[] twins = (Object[]) states.invokeExact();
        int o = ((Enum<?>) receiver).ordinal();
        Object t = twins != null && o < twins.length ? twins[o] : null;
        return t != null ? t : receiver;
    }
}
