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

    /**
     * @throws PatchRejectedException on the first problem, also for what the JDK throws on
     *         code or names this process cannot take (a type the class's loader does not have,
     *         a damaged constant pool, a class that fails to link): nothing a thread can reach
     *         was changed
     */
    PreparedPatch prepare(Patch patch, CodeTable parent) {
        return prepare(patch, parent, LoaderScope.ALL);
    }

    /** As {@link #prepare(Patch, CodeTable)}, for the copies of the classes in {@code scope}'s loaders only. */
    PreparedPatch prepare(Patch patch, CodeTable parent, LoaderScope scope) {
        try {
            return prepareChecked(patch, parent, scope);
        } catch (PatchRejectedException e) {
            throw e;
        } catch (RuntimeException | LinkageError e) {
            // the last line: every path above is meant to name its problem itself
            throw new PatchRejectedException("patch " + patch.id() + " cannot be prepared in this process: " + e, e);
        }
    }

    private PreparedPatch prepareChecked(Patch patch, CodeTable parent, LoaderScope scope) {
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
            List<MethodRegistry.LoadedClassInfo> loaded = loadedOrLoad(cp.className(), scope);
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
                    String method = dotted(cp.className()) + "#" + mc.name() + mc.descriptor();
                    if (addedHere) {
                        // a method this patch adds, or one an earlier patch added and this one changes:
                        // it lives in the views' tables like a replacement, and links dispatch through them
                        slot = registry.find(info.loader(), cp.className(), mc.name(), mc.descriptor());
                        if (mc.kind() == MethodChange.Kind.REPLACED && slot == null) {
                            throw new PatchRejectedException("patch " + patch.id() + " replaces " + method
                                    + ", which is not a patchable method of the loaded class");
                        }
                    }
                    if (slot != null && slot.isStatic() != mc.isStatic()) {
                        throw new PatchRejectedException("patch " + patch.id() + " says " + method + " is "
                                + staticWord(mc.isStatic()) + " method, but in this process it is "
                                + staticWord(slot.isStatic()) + " method (the manifest does not match the class)");
                    }
                    if (body == null) {
                        throw new PatchRejectedException("patch " + patch.id() + " changes " + method
                                + " but carries no new code for its class");
                    }
                    MethodType type;
                    try {
                        type = MethodType.fromMethodDescriptorString(mc.descriptor(), info.loader());
                    } catch (TypeNotPresentException ex) {
                        throw new PatchRejectedException("patch " + patch.id() + " changes " + method + ", whose "
                                + "descriptor names a class that the loader of " + dotted(cp.className())
                                + " cannot load: " + ex.typeName(), ex);
                    }
                    if (!mc.isStatic()) {
                        type = type.insertParameterTypes(0, c);
                    }
                    MethodHandle found;
                    try {
                        found = body.findStatic(body.lookupClass(), mc.bodyMethodName(), type);
                    } catch (ReflectiveOperationException ex) {
                        throw new PatchRejectedException("patch " + patch.id() + ": no new body " + mc.bodyMethodName()
                                + type + " for " + method, ex);
                    }
                    if (slot == null) {   // registered once its body is found: a refused patch leaves no slot
                        slot = registry.register(info.loader(), cp.className(), mc.name(), mc.descriptor(), mc.isStatic());
                    }
                    overrides.put(slot.id(), found);
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
                        MethodType t;
                        try {
                            t = MethodType.fromMethodDescriptorString("()" + fa.descriptor(), info.loader());
                        } catch (TypeNotPresentException ex) {
                            throw new PatchRejectedException("patch " + patch.id() + " adds field "
                                    + dotted(cp.className()) + "." + fa.name() + " of a type that the loader of "
                                    + dotted(cp.className()) + " cannot load: " + ex.typeName(), ex);
                        }
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
                    try {
                        ShadowFields.shared().define(info.loader(), cp.className(), fa.name(), fa.descriptor(),
                                fa.isStatic(), init);
                    } catch (IllegalArgumentException ex) {   // exists with the other static-ness
                        throw new PatchRejectedException("patch " + patch.id() + " adds " + (fa.isStatic() ? "static"
                                : "instance") + " field " + dotted(cp.className()) + "." + fa.name() + ": "
                                + ex.getMessage(), ex);
                    }
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
            } catch (ReflectiveOperationException | LinkageError | IllegalArgumentException ex) {
                // IllegalArgumentException: the ClassFile API's verdict on damaged bytes (ConstantPoolException...)
                throw new PatchRejectedException("patch " + patch.id() + ": added class " + dotted(ac.className())
                        + " does not load: " + ex, ex);
            }
        }
        return ctx;
    }

    private List<MethodRegistry.LoadedClassInfo> loadedOrLoad(String className, LoaderScope scope) {
        List<MethodRegistry.LoadedClassInfo> l = inScope(registry.loaded(className), scope);
        if (!l.isEmpty()) {
            return l;
        }
        for (ClassLoader loader : registry.loaders()) {   // not loaded yet: load it (not initialise) where its package lives
            if (!scope.includes(loader)) {
                continue;
            }
            try {
                Class.forName(dotted(className), false, loader);
            } catch (ClassNotFoundException | LinkageError ignored) {
                // not in this loader
            }
        }
        l = inScope(registry.loaded(className), scope);
        if (l.isEmpty()) {
            throw new PatchRejectedException("class " + dotted(className) + " is not loaded by any class loader of "
                    + "this process" + scope.describe() + " as a patchable class (is it outside the agent's include "
                    + "patterns" + (scope.name() == null ? "" : ", or is there no such loader") + "?)");
        }
        return l;
    }

    private static List<MethodRegistry.LoadedClassInfo> inScope(List<MethodRegistry.LoadedClassInfo> all, LoaderScope scope) {
        if (scope.name() == null) {
            return all;
        }
        List<MethodRegistry.LoadedClassInfo> in = new ArrayList<>();
        for (MethodRegistry.LoadedClassInfo i : all) {
            if (scope.includes(i.loader())) {
                in.add(i);
            }
        }
        return in;
    }

    private static Class<?> classFor(MethodRegistry.LoadedClassInfo info) {
        try {
            return Class.forName(dotted(info.className()), false, info.loader());
        } catch (ClassNotFoundException e) {
            throw new PatchRejectedException("class " + dotted(info.className()) + " is no longer loadable", e);
        }
    }

    private static String staticWord(boolean isStatic) {
        return isStatic ? "a static" : "an instance";
    }

    static String dotted(String internalName) {
        return internalName.replace('/', '.');
    }
}
