package dev.atlas.patch.runtime;

import dev.atlas.patch.format.AddedClass;
import dev.atlas.patch.format.ClassPatch;
import dev.atlas.patch.format.FieldAddition;
import dev.atlas.patch.format.MethodChange;
import dev.atlas.patch.format.Patch;
import dev.atlas.patch.shadow.ShadowFields;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a patch into new code beside the running code, without changing anything a thread
 * can see: checks that every class it names runs exactly the version the patch was built
 * from (in the parent view), defines the added classes and the body classes (the JVM
 * verifies them), looks up every replacement with its exact type, and defines the shadow
 * fields. Throws {@link PatchRejectedException} on the first problem.
 *
 * <p>Threading: one operator thread at a time (called under the {@link CodeViews} lock).
 */
final class PatchPreparer {
    private final MethodRegistry registry;
    private final MemberFixups fixups;

    PatchPreparer(MethodRegistry registry) {
        this.registry = registry;
        this.fixups = new MemberFixups(registry);
    }

    PreparedPatch prepare(Patch patch, CodeTable parent) {
        Map<Integer, MethodHandle> overrides = new HashMap<>();
        Map<String, String> fingerprints = new HashMap<>();
        List<MethodSlot> activate = new ArrayList<>();
        List<MethodHandle> hooks = new ArrayList<>();
        Map<ClassLoader, PatchContext> contexts = new LinkedHashMap<>();
        int replaced = 0;
        int added = 0;
        int fields = 0;
        Map<ClassPatch, List<MethodRegistry.LoadedClassInfo>> targets = new LinkedHashMap<>();
        List<Map.Entry<MethodHandles.Lookup, CallSitePrelinker.Rewritten>> toLink = new ArrayList<>();

        // 1. every class: loaded, instrumented, and at the expected version (before defining anything)
        for (ClassPatch cp : patch.classes()) {
            List<MethodRegistry.LoadedClassInfo> loaded = loadedOrLoad(cp.className());
            for (MethodRegistry.LoadedClassInfo info : loaded) {
                String actual = parent.fingerprint(cp.className());
                if (actual == null) {
                    actual = info.fingerprint();
                }
                if (!actual.equals(cp.expectedFingerprint())) {
                    throw new PatchRejectedException("patch " + patch.id() + " was built for another version of class "
                            + dotted(cp.className()) + ": expected fingerprint " + cp.expectedFingerprint()
                            + ", this process runs " + actual);
                }
            }
            targets.put(cp, loaded);
        }

        // 2. added classes, in every loader that has one of the patched classes
        for (List<MethodRegistry.LoadedClassInfo> infos : targets.values()) {
            for (MethodRegistry.LoadedClassInfo info : infos) {
                contexts.computeIfAbsent(info.loader(), l -> defineAddedClasses(patch, l));
            }
        }

        // 3. body classes, replacements, shadow fields, hooks
        for (Map.Entry<ClassPatch, List<MethodRegistry.LoadedClassInfo>> e : targets.entrySet()) {
            ClassPatch cp = e.getKey();
            for (MethodRegistry.LoadedClassInfo info : e.getValue()) {
                Class<?> c = classFor(info);
                PatchContext ctx = contexts.get(info.loader());
                MethodHandles.Lookup body = null;
                if (cp.bodyClass() != null) {
                    try {
                        fixups.checkClassesResolve(info.loader(), cp.bodyClass(), addedNames(patch), patch.id());
                        CallSitePrelinker.Rewritten rewritten = CallSitePrelinker.rewrite(fixups.apply(info.loader(), cp.bodyClass()));
                        body = FullLookups.of(c).defineHiddenClass(rewritten.bytes(), true,
                                MethodHandles.Lookup.ClassOption.NESTMATE);
                        toLink.add(Map.entry(body, rewritten));
                    } catch (IllegalAccessException | LinkageError | IllegalArgumentException ex) {
                        throw new PatchRejectedException("patch " + patch.id() + ": the new code of class "
                                + dotted(cp.className()) + " does not load: " + ex, ex);
                    }
                    ctx.bodies.put(cp.className(), body);
                    PatchLinker.register(body.lookupClass(), ctx);
                }
                for (MethodChange mc : cp.methods()) {
                    MethodSlot slot = null;
                    for (MethodSlot s : info.methods()) {
                        if (s.name().equals(mc.name()) && s.descriptor().equals(mc.descriptor())) {
                            slot = s;
                            break;
                        }
                    }
                    boolean addedHere = slot == null;
                    if (addedHere) {
                        // a method this patch adds, or one an earlier patch added and this one changes:
                        // it lives in the views' tables like a replacement, and links dispatch through them
                        MethodSlot earlier = registry.find(info.loader(), cp.className(), mc.name(), mc.descriptor());
                        if (mc.kind() == MethodChange.Kind.REPLACED && earlier == null) {
                            throw new PatchRejectedException("patch " + patch.id() + " replaces "
                                    + dotted(cp.className()) + "#" + mc.name() + mc.descriptor()
                                    + ", which is not a patchable method of the loaded class");
                        }
                        slot = earlier != null ? earlier
                                : registry.register(info.loader(), cp.className(), mc.name(), mc.descriptor(), mc.isStatic());
                    }
                    if (body == null) {
                        throw new PatchRejectedException("patch " + patch.id() + " changes " + slot.describe()
                                + " but carries no new code for its class");
                    }
                    MethodType type = slot.dispatchType(c);
                    try {
                        overrides.put(slot.id(), body.findStatic(body.lookupClass(), mc.bodyMethodName(), type));
                    } catch (ReflectiveOperationException ex) {
                        throw new PatchRejectedException("patch " + patch.id() + ": no new body " + mc.bodyMethodName()
                                + type + " for " + slot.describe(), ex);
                    }
                    if (addedHere) {
                        added++;
                    } else {
                        activate.add(slot);
                        replaced++;
                    }
                }
                for (FieldAddition fa : cp.addedFields()) {
                    MethodHandle init = null;
                    if (fa.initializerMethod() != null) {
                        MethodType t = MethodType.fromMethodDescriptorString("()" + fa.descriptor(), info.loader());
                        if (!fa.isStatic()) {
                            t = t.insertParameterTypes(0, c);
                        }
                        try {
                            init = body.findStatic(body.lookupClass(), fa.initializerMethod(), t);
                        } catch (ReflectiveOperationException | NullPointerException ex) {
                            throw new PatchRejectedException("patch " + patch.id() + ": no initialiser "
                                    + fa.initializerMethod() + t + " for new field " + dotted(cp.className()) + "."
                                    + fa.name(), ex);
                        }
                    }
                    ShadowFields.shared().define(info.loader(), cp.className(), fa.name(), fa.descriptor(), fa.isStatic(), init);
                    fields++;
                }
                if (cp.transferHook() != null) {
                    try {
                        hooks.add(body.findStatic(body.lookupClass(), cp.transferHook(), MethodType.methodType(void.class)));
                    } catch (ReflectiveOperationException | NullPointerException ex) {
                        throw new PatchRejectedException("patch " + patch.id() + ": no state-transfer hook "
                                + cp.transferHook() + "()V for class " + dotted(cp.className()), ex);
                    }
                }
            }
            fingerprints.put(cp.className(), cp.newFingerprint());
        }
        // 4. bootstrap the new code's call sites now (shadow fields and added methods exist)
        for (Map.Entry<MethodHandles.Lookup, CallSitePrelinker.Rewritten> e : toLink) {
            CallSitePrelinker.link(e.getKey(), e.getValue(), patch.id());
        }
        CodeTable table = parent.with(overrides, fingerprints, patch.id());
        return new PreparedPatch(patch, table, activate, hooks, replaced, added, fields, patch.addedClasses().size());
    }

    private static java.util.Set<String> addedNames(Patch patch) {
        java.util.Set<String> s = new java.util.HashSet<>();
        for (AddedClass ac : patch.addedClasses()) {
            s.add(ac.className());
        }
        return s;
    }

    private PatchContext defineAddedClasses(Patch patch, ClassLoader loader) {
        PatchContext ctx = new PatchContext(patch.id(), loader);
        for (AddedClass ac : patch.addedClasses()) {
            try {
                Class<?> host = Class.forName(dotted(ac.hostClassName()), false, loader);
                Class<?> defined;
                try {
                    defined = Class.forName(dotted(ac.className()), false, loader);   // applied before (rolled back, applied again)
                } catch (ClassNotFoundException notYet) {
                    defined = MethodHandles.privateLookupIn(host, MethodHandles.lookup())
                            .defineClass(fixups.apply(loader, ac.bytes()));
                }
                PatchLinker.register(defined, ctx);
            } catch (ReflectiveOperationException | LinkageError ex) {
                throw new PatchRejectedException("patch " + patch.id() + ": added class " + dotted(ac.className())
                        + " does not load: " + ex, ex);
            }
        }
        return ctx;
    }

    private List<MethodRegistry.LoadedClassInfo> loadedOrLoad(String className) {
        List<MethodRegistry.LoadedClassInfo> l = registry.loaded(className);
        if (!l.isEmpty()) {
            return l;
        }
        for (ClassLoader loader : registry.loaders()) {   // not loaded yet: load it (not initialise) where its package lives
            try {
                Class.forName(dotted(className), false, loader);
            } catch (ClassNotFoundException | LinkageError ignored) {
                // not in this loader
            }
        }
        l = registry.loaded(className);
        if (l.isEmpty()) {
            throw new PatchRejectedException("class " + dotted(className) + " is not loaded by any class loader of "
                    + "this process as a patchable class (is it outside the agent's include patterns?)");
        }
        return l;
    }

    private static Class<?> classFor(MethodRegistry.LoadedClassInfo info) {
        try {
            return Class.forName(dotted(info.className()), false, info.loader());
        } catch (ClassNotFoundException e) {
            throw new PatchRejectedException("class " + dotted(info.className()) + " is no longer loadable", e);
        }
    }

    static String dotted(String internalName) {
        return internalName.replace('/', '.');
    }
}
