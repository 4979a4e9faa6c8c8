package dev.atlas.patch.runtime;

import dev.atlas.core.ViewSpace;
import dev.atlas.patch.format.AddedClass;
import dev.atlas.patch.format.ClassPatch;
import dev.atlas.patch.format.FieldAddition;
import dev.atlas.patch.format.MethodChange;
import dev.atlas.patch.format.Patch;
import dev.atlas.patch.format.StaticStateSummary;
import dev.atlas.patch.shadow.ShadowField;
import dev.atlas.patch.shadow.ShadowFields;

import java.lang.invoke.CallSite;
import java.lang.invoke.ConstantCallSite;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Map;

/**
 * Reads of a static field that a patch gives a value per view, made by code outside the
 * patch: a class loaded after the apply whose {@code getstatic C.F} names such a field (the
 * builder's {@code StaticState} and {@code ViewInitializers}: a shadow copy
 * {@code atlas$view$F}, or a field of the holder class {@code C$atlas$ViewStatics}). The
 * instrumenter rewrites the instruction, at the class's load, into
 * {@snippet lang=text :
 *   invokedynamic F()T  [ViewStaticReads.link, registry, "C/Internal"]
 * }
 * and this bootstrap links it to: the getter that the calling thread's view holds for the
 * field (slot {@link MethodRegistry#VIEW_STATIC_PREFIX}{@code F}, registered when the patch
 * was prepared), else the running field. So the new release's code loaded after the apply
 * (its tests, say) sees the singletons and tables the new view built, as the patch's code
 * does; in a view without the patch (before the migration reached the thread, after a
 * rollback) it sees the running field, as the old release's code does.
 *
 * <p>The same for a static field that a patch adds (its shadow field): such reads get the
 * field's value in a view with the patch and {@link NoSuchFieldError}, as with the old
 * release, in one without it.
 *
 * <p>What still reads the running field: classes loaded before the apply (compiled against
 * the old release), reflection ({@code Field.get}), method handles ({@code findStaticGetter}),
 * a read naming a subclass, and every write ({@code putstatic} is not rewritten; nor are reads
 * and writes of instance fields a patch adds).
 *
 * <p>Implementation notes: the running field is read through the caller's lookup
 * ({@code findStaticGetter}: the same resolution and access checks as the instruction; a
 * failed link gives a call site that throws the JVM's error on every call). The view's getter
 * is looked up per read (a thread-local read, a volatile read and a table probe, as a guard).
 *
 * <p>Threading: bootstraps run on whichever thread first executes the call site; {@link #bind}
 * on the preparing thread, under the code views' lock.
 */
public final class ViewStaticReads {
    private static final MethodHandle SELECT;

    static {
        try {
            SELECT = MethodHandles.lookup().findStatic(ViewStaticReads.class, "select", MethodType.methodType(
                    MethodHandle.class, ViewSpace.class, MethodSlot.class, MethodHandle.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private ViewStaticReads() {}

    /** Bootstrap of a rewritten read: {@code type} is {@code ()T}, {@code name} the field's. */
    public static CallSite link(MethodHandles.Lookup caller, String name, MethodType type, int registry, String owner) {
        Class<?> ownerClass;
        try {
            ownerClass = Linkage.ownerClass(caller, owner);
        } catch (NoClassDefFoundError e) {
            return failing(type, e);
        }
        MethodRegistry r = Linkage.registry(registry);
        MethodSlot slot = r.find(ownerClass.getClassLoader(), owner, MethodRegistry.VIEW_STATIC_PREFIX + name,
                type.toMethodDescriptorString());
        MethodHandle running;
        NoSuchFieldError missing = null;
        try {
            running = caller.findStaticGetter(ownerClass, name, type.returnType());
        } catch (NoSuchFieldException e) {
            // a static the new release adds (a new field, an added enum constant): the new view has it, elsewhere the error
            missing = new NoSuchFieldError(e.getMessage());
            running = MethodHandles.insertArguments(MethodHandles.throwException(type.returnType(), NoSuchFieldError.class),
                    0, missing);
        } catch (IllegalAccessException e) {
            return failing(type, new IllegalAccessError(e.getMessage()));
        }
        if (slot == null) {
            return missing != null ? failing(type, missing) : new ConstantCallSite(running);
        }
        MethodHandle select = MethodHandles.insertArguments(SELECT, 0, r.space(), slot, running);
        return new ConstantCallSite(MethodHandles.foldArguments(MethodHandles.exactInvoker(type), select));
    }

    /**
     * At preparation: the statics {@code patch} gives the new view a value of its own in
     * {@code cp}'s class ({@link StaticStateSummary}'s two shapes), each with a slot whose entry
     * in the new table ({@code overrides}) is the getter of the view's value.
     *
     * @throws PatchRejectedException if a holder's fields cannot be read
     */
    static void bind(MethodRegistry registry, ShadowFields fields, Patch patch, ClassPatch cp, ClassLoader loader,
                     AddedClassNames names, Map<Integer, MethodHandle> overrides) {
        String c = cp.className();
        for (FieldAddition fa : cp.addedFields()) {
            if (fa.isStatic() && fa.name().startsWith(StaticStateSummary.VIEW_COPY_PREFIX)) {
                ShadowField f = fields.find(loader, c, fa.name(), fa.descriptor());
                MethodType type = MethodType.fromMethodDescriptorString("()" + fa.descriptor(), loader);
                MethodSlot slot = registry.registerViewStatic(loader, c,
                        fa.name().substring(StaticStateSummary.VIEW_COPY_PREFIX.length()), fa.descriptor());
                overrides.put(slot.id(), ShadowFields.getter(f, type));
            } else if (fa.isStatic() && !fa.name().contains("$atlas$") && !fa.name().startsWith("atlas$")) {
                // a static field the patch adds (its shadow field): read by its own name from classes loaded later
                ShadowField f = fields.find(loader, c, fa.name(), fa.descriptor());
                if (f != null) {
                    MethodType type = MethodType.fromMethodDescriptorString("()" + fa.descriptor(), loader);
                    MethodSlot slot = registry.registerViewStatic(loader, c, fa.name(), fa.descriptor());
                    overrides.put(slot.id(), ShadowFields.getter(f, type));
                }
            }
        }
        boolean rerun = false;
        for (MethodChange mc : cp.methods()) {
            rerun |= mc.kind() == MethodChange.Kind.ADDED && mc.isStatic() && mc.name().equals(StaticStateSummary.INITIALIZER);
        }
        if (!rerun) {
            return;
        }
        for (AddedClass ac : patch.addedClasses()) {
            if (!ac.className().startsWith(c + StaticStateSummary.HOLDER_MARKER)) {
                continue;
            }
            try {
                Class<?> holder = Class.forName(names.name(ac).replace('/', '.'), false, loader);
                MethodHandles.Lookup l = MethodHandles.privateLookupIn(holder, MethodHandles.lookup());
                for (java.lang.reflect.Field f : holder.getDeclaredFields()) {
                    if (!java.lang.reflect.Modifier.isStatic(f.getModifiers())
                            || f.getName().equals(StaticStateSummary.RESOURCES_FIELD)
                            || f.getName().equals(StaticStateSummary.ENUM_CONSTANTS_FIELD)
                            || f.getName().equals(StaticStateSummary.CONSTANT_STATES_FIELD)) {
                        continue;
                    }
                    MethodSlot slot = registry.registerViewStatic(loader, c, f.getName(), f.getType().descriptorString());
                    overrides.put(slot.id(), l.findStaticGetter(holder, f.getName(), f.getType()));
                }
            } catch (ReflectiveOperationException | LinkageError ex) {
                throw new PatchRejectedException("patch " + patch.id() + ": the new view's statics of "
                        + c.replace('/', '.') + " (" + ac.className().replace('/', '.') + ") cannot be read: " + ex, ex);
            }
        }
    }

    /** The getter of the calling thread's view, or the running field's. */
    static MethodHandle select(ViewSpace space, MethodSlot slot, MethodHandle running) {
        final CodeTable t = space.currentForCall().get(CodeViews.CODE);
        final MethodHandle h = t == null ? null : t.handle(slot.id());
        return h == null ? running : h;
    }

    private static CallSite failing(MethodType type, Throwable error) {
        return Linkage.failingSite(type, error);
    }
}
