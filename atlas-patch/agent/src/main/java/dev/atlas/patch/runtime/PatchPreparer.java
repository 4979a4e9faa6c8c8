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
    private final ShadowFields fields;
    private final MemberFixups fixups;
    private final PackageDefiner packages;
    private final ForeignMethodGuards foreign;
    private int tables;   // the call-site table numbers handed out (one per body class)
    private final TableNumbers tableNumbers = new TableNumbers();
    private final ObjectRebuildEntries rebuildEntries = new ObjectRebuildEntries();

    PatchPreparer(MethodRegistry registry, ShadowFields fields, PackageDefiner packages, ForeignMethodGuards foreign) {
        this.registry = registry;
        this.foreign = foreign;
        this.fields = fields;
        this.fixups = new MemberFixups(registry, fields);
        this.packages = packages;
    }

    /** Forgets what this preparer keeps of the classes of {@code scope}'s loader (released: {@link CodeViews#forgetLoader}). */
    void forgetLoader(LoaderScope scope) {
        rebuildEntries.forget(scope);
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
        List<String> defined = new ArrayList<>();   // added classes this call defines (a refusal names them)
        try {
            return prepareChecked(patch, parent, scope, defined);
        } catch (PatchRejectedException e) {
            throw defined.isEmpty() ? e : e.withClassesLeftDefined(defined);
        } catch (RuntimeException | LinkageError e) {
            // the last line: every path above is meant to name its problem itself
            PatchRejectedException r = new PatchRejectedException("patch " + patch.id() + " cannot be prepared in this process: " + e, e);
            throw defined.isEmpty() ? r : r.withClassesLeftDefined(defined);
        }
    }

    /** What the steps of one preparation collect. */
    private static final class Collected {
        final Map<Integer, MethodHandle> overrides = new HashMap<>();
        final Map<String, String> fingerprints = new HashMap<>();
        final List<MethodSlot> activate = new ArrayList<>();
        final Map<String, MethodHandle> hooks = new LinkedHashMap<>();   // by the patched class's name, in patch order
        final List<Map.Entry<MethodHandles.Lookup, CallSitePrelinker.Rewritten>> toLink = new ArrayList<>();
        final Map<MethodSlot, Class<?>> abstractInterfaceMethods = new LinkedHashMap<>();   // added abstract methods, by interface
        // instance methods this patch adds, with their classes: what each overrides is found once every class is bound
        final Map<MethodSlot, Class<?>> addedInstanceMethods = new LinkedHashMap<>();
        final List<ObjectRebuild> rebuilds = new ArrayList<>();   // objects made before the apply that the view rebuilds
        final List<String> deferred = new ArrayList<>();   // changed classes that never linked, whose new code was left out
        String appliedId;
        int replaced;
        int added;
        int fields;
    }

    /**
     * One patched class in one loader: where its new code goes.
     *
     * @param cp the class's part of the patch, its descriptors naming added classes as {@code names} does
     */
    private record Target(Patch patch, ClassPatch cp, MethodRegistry.LoadedClassInfo info, Class<?> c,
                          AddedClassNames names) {
        String dottedName() {
            return dotted(cp.className());
        }
    }

    private PreparedPatch prepareChecked(Patch patch, CodeTable parent, LoaderScope scope, List<String> defined) {
        Map<ClassPatch, List<MethodRegistry.LoadedClassInfo>> targets = checkVersions(patch, parent, scope);
        Map<ClassLoader, PatchContext> contexts = new LinkedHashMap<>();
        Map<ClassLoader, AddedClassNames> names = new LinkedHashMap<>();
        for (List<MethodRegistry.LoadedClassInfo> infos : targets.values()) {
            for (MethodRegistry.LoadedClassInfo info : infos) {
                if (!contexts.containsKey(info.loader())) {
                    AddedClassNames n = AddedClassNames.choose(patch, info.loader(), fixups);
                    names.put(info.loader(), n);
                    contexts.put(info.loader(), defineAddedClasses(patch, info.loader(), n, defined));
                }
            }
        }
        Collected out = new Collected();
        out.appliedId = PatchApplication.appliedId(patch.id(), scope);
        for (Map.Entry<ClassPatch, List<MethodRegistry.LoadedClassInfo>> e : targets.entrySet()) {
            ClassPatch cp = e.getKey();
            for (MethodRegistry.LoadedClassInfo info : e.getValue()) {
                AddedClassNames n = names.get(info.loader());
                String unlinkable = UnlinkableClass.whyItCannotLink(info);
                if (unlinkable != null) {
                    out.deferred.add(dotted(cp.className()) + ": deferred, its new code not loaded; the class keeps its old code,"
                            + " which cannot run: " + unlinkable + ". If its class loader gains the missing class, roll back and"
                            + " apply again");
                } else {
                    try {
                        prepareClass(new Target(patch, n.classPatch(cp), info, classFor(info), n), contexts.get(info.loader()), out);
                    } catch (MemberFixups.MissingClassException m) {
                        throw refusal(cp, m);
                    }
                }
                // a deferred class is at the new version too: it has no behaviour in this process
                // (it never linked), and a patch built on the new release finds it as it expects
                out.fingerprints.put(CodeTable.classKey(info.loader(), cp.className()), cp.newFingerprint());
            }
        }
        // after all classes: an added override finds the method it overrides even when that one is added by a class
        // of the patch bound later (LZ77Compressor$BackReference.getType before LZ77Compressor$Block.getType)
        for (Map.Entry<MethodSlot, Class<?>> a : out.addedInstanceMethods.entrySet()) {
            OverrideDispatch.register(registry, foreign, a.getValue(), a.getKey(), patch.id());
        }
        for (Map.Entry<MethodSlot, Class<?>> a : out.abstractInterfaceMethods.entrySet()) {
            checkImplemented(patch.id(), a.getKey(), a.getValue());
        }
        // the new code's call sites, bootstrapped now (shadow fields and added methods exist)
        for (Map.Entry<MethodHandles.Lookup, CallSitePrelinker.Rewritten> e : out.toLink) {
            CallSitePrelinker.link(e.getKey(), e.getValue(), patch.id());
        }
        // overrides the patch adds: the inherited methods' entries dispatch on the receiver's class
        OverrideDispatch.Hooks hooks = OverrideDispatch.hooks(registry, out.overrides, parent);
        Map<Integer, MethodHandle> entries = new HashMap<>(out.overrides);
        entries.putAll(hooks.dispatchers());
        for (MethodSlot s : hooks.activate()) {
            if (!out.activate.contains(s)) {
                out.activate.add(s);
            }
        }
        java.util.Set<Integer> wrapping = new java.util.HashSet<>(hooks.dispatchers().keySet());
        Map<Integer, MethodHandle> bases = new HashMap<>(hooks.bases());
        // objects made before the apply that this patch, or one under it, rebuilds: around every entry of their classes
        rebuildEntries.wrap(registry, parent, patch.id(), out.appliedId, out.rebuilds, entries, wrapping, bases, out.activate);
        CodeTable table = parent.with(entries, wrapping, bases, out.fingerprints, out.appliedId);
        // added classes are defined in the loaders of the changed classes only: with none, none is defined
        return new PreparedPatch(patch, table, out.activate, out.hooks, out.replaced, out.added, out.fields,
                contexts.isEmpty() ? 0 : patch.addedClasses().size(), addedClassLines(names), out.rebuilds, out.deferred);
    }

    /**
     * The refusal of a patch whose new code for class {@code cp} names a class its loader does
     * not have, where the class itself may link and run (else it was deferred,
     * {@link UnlinkableClass}): with what to do.
     */
    private static PatchRejectedException refusal(ClassPatch cp, MemberFixups.MissingClassException m) {
        return new PatchRejectedException(m.getMessage() + ". Class " + dotted(cp.className())
                + " itself may link and run in this process, so its new code cannot be left out. Remedy: put the"
                + " library that holds " + m.missing() + " on the class path of the process (the new release's"
                + " dependency), or build the patch without " + dotted(cp.className())
                + " (atlas patch build --exclude " + dotted(cp.className()) + "), which then keeps its old code", m);
    }

    /** What each loader named the added classes (the loader's name first when there are several). */
    private static List<String> addedClassLines(Map<ClassLoader, AddedClassNames> names) {
        List<String> lines = new ArrayList<>();
        for (Map.Entry<ClassLoader, AddedClassNames> e : names.entrySet()) {
            for (String line : e.getValue().lines()) {
                lines.add(names.size() == 1 ? line : "in " + e.getKey() + ": " + line);
            }
        }
        return lines;
    }

    /** Every class the patch names: loaded, instrumented, and at the expected version (before defining anything). */
    private Map<ClassPatch, List<MethodRegistry.LoadedClassInfo>> checkVersions(Patch patch, CodeTable parent,
                                                                                LoaderScope scope) {
        Map<ClassPatch, List<MethodRegistry.LoadedClassInfo>> targets = new LinkedHashMap<>();
        for (ClassPatch cp : patch.classes()) {
            List<MethodRegistry.LoadedClassInfo> loaded = loadedOrLoad(cp.className(), scope);
            for (MethodRegistry.LoadedClassInfo info : loaded) {
                String actual = parent.fingerprint(info.loader(), cp.className());
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
        return targets;
    }

    /** One class in one loader: its body class, its replaced and added methods, its shadow fields, its hook. */
    private void prepareClass(Target t, PatchContext ctx, Collected out) {
        MethodHandles.Lookup body = t.cp().bodyClass() == null ? null : defineBody(t, ctx, out);
        Constructions.Prologues prologues = null;
        for (MethodChange mc : t.cp().methods()) {
            if (mc.initCall() == null) {
                bindMethod(t, body, mc, out);
                continue;
            }
            if (body == null) {
                throw new PatchRejectedException("patch " + t.patch().id() + " changes constructor " + t.dottedName()
                        + mc.descriptor() + " but carries no new code for its class");
            }
            if (prologues == null) {
                prologues = new Constructions.Prologues(t.patch().id(), t.c(), t.info().constructionCalls(), t.cp().methods(), body,
                        registry);
            }
            bindConstruction(t, prologues.of(mc), mc, out);
        }
        if (prologues != null) {
            bindEntry(t, out);
        }
        for (FieldAddition fa : t.cp().addedFields()) {
            defineField(t, body, fa);
            out.fields++;
        }
        bindWidened(t, out);
        ViewStaticReads.bind(registry, fields, t.patch(), t.cp(), t.info().loader(), t.names(), out.overrides);
        ConstantStateReads.bind(registry, t.patch(), t.cp(), t.info().loader(), t.names(), out.overrides);
        String rebuild = dev.atlas.patch.format.ObjectRebuilds.method(t.cp());
        if (rebuild != null) {
            out.rebuilds.add(rebuildEntries.create(t.patch().id(), out.appliedId, t.c(), t.cp().className(), rebuild));
        }
        if (t.cp().transferHook() != null) {
            try {
                out.hooks.put(t.dottedName(), body.findStatic(body.lookupClass(), t.cp().transferHook(), MethodType.methodType(void.class)));
            } catch (ReflectiveOperationException | NullPointerException ex) {
                throw new PatchRejectedException("patch " + t.patch().id() + ": no state-transfer hook "
                        + t.cp().transferHook() + "()V for class " + t.dottedName(), ex);
            }
        }
    }

    /**
     * Whether the running class names a class too: the classes it names are read at the first
     * question only (a named class, not a lambda: nothing on the patch path links a call site
     * at its first run, {@code PatchPathRulesTest}). Used by the preparing thread only.
     */
    private static final class NamedByRunningClass implements java.util.function.Predicate<String> {
        private final MethodRegistry.LoadedClassInfo info;
        private java.util.Set<String> named;

        NamedByRunningClass(MethodRegistry.LoadedClassInfo info) {
            this.info = info;
        }

        @Override
        public boolean test(String missing) {
            if (named == null) {
                named = UnlinkableClass.classesNamedBy(info);
            }
            return named.contains(missing);
        }
    }

    /**
     * Defines the class's body class ({@link BodyClasses}: an ordinary class beside it, or a hidden
     * nestmate when it needs one), its call sites redirected for prelinking; reuses the body class
     * of an earlier apply of the same patch.
     */
    private MethodHandles.Lookup defineBody(Target t, PatchContext ctx, Collected out) {
        MethodHandles.Lookup body;
        try {
            ClassLoader loader = t.info().loader();
            byte[] bytes = t.names().bytes(fixups.apply(loader, t.cp().bodyClass()));
            fixups.checkClassesResolve(loader, bytes, addedNames(t.patch(), t.names()), t.patch().id(),
                    new NamedByRunningClass(t.info()));
            BodyClasses.Defined d = BodyClasses.define(t.c(), bytes, tableNumbers);
            body = d.lookup();
            if (d.toLink() != null) {
                out.toLink.add(Map.entry(body, d.toLink()));
            }
        } catch (IllegalAccessException | LinkageError | IllegalArgumentException ex) {
            String message = "patch " + t.patch().id() + ": the new code of class " + t.dottedName() + " does not load: " + ex;
            if (ex instanceof NoClassDefFoundError missing && missing.getMessage() != null) {
                // verifying it needs a class the process lacks: deferred if the class itself never linked
                throw new MemberFixups.MissingClassException(missing.getMessage().replace('/', '.'), message);
            }
            throw new PatchRejectedException(message, ex);
        }
        Linkage.bind(body.lookupClass(), ctx);
        return body;
    }

    /** A replaced or added method: its slot (registered once its body is found) and its new body. */
    private void bindMethod(Target t, MethodHandles.Lookup body, MethodChange mc, Collected out) {
        String patchId = t.patch().id();
        MethodSlot slot = null;
        for (MethodSlot s : t.info().methods()) {
            if (s.name().equals(mc.name()) && s.descriptor().equals(mc.descriptor())) {
                slot = s;
                break;
            }
        }
        boolean addedHere = slot == null;
        String method = t.dottedName() + "#" + mc.name() + mc.descriptor();
        if (addedHere) {
            // a method this patch adds, or one an earlier patch added and this one changes:
            // it lives in the views' tables like a replacement, and links dispatch through them
            slot = registry.find(t.info().loader(), t.cp().className(), mc.name(), mc.descriptor());
            if (mc.kind() == MethodChange.Kind.REPLACED && slot == null) {
                throw new PatchRejectedException("patch " + patchId + " replaces " + method
                        + ", which is not a patchable method of the loaded class");
            }
        }
        if (slot != null && slot.isStatic() != mc.isStatic()) {
            throw new PatchRejectedException("patch " + patchId + " says " + method + " is "
                    + staticWord(mc.isStatic()) + " method, but in this process it is "
                    + staticWord(slot.isStatic()) + " method (the manifest does not match the class)");
        }
        if (body == null) {
            throw new PatchRejectedException("patch " + patchId + " changes " + method
                    + " but carries no new code for its class");
        }
        MethodType type;
        try {
            type = MethodType.fromMethodDescriptorString(mc.descriptor(), t.info().loader());
        } catch (TypeNotPresentException ex) {
            throw new PatchRejectedException("patch " + patchId + " changes " + method + ", whose "
                    + "descriptor names a class that the loader of " + t.dottedName()
                    + " cannot load: " + ex.typeName(), ex);
        }
        if (!mc.isStatic()) {
            type = type.insertParameterTypes(0, t.c());
        }
        MethodHandle found;
        try {
            found = body.findStatic(body.lookupClass(), mc.bodyMethodName(), type);
        } catch (ReflectiveOperationException ex) {
            throw new PatchRejectedException("patch " + patchId + ": no new body " + mc.bodyMethodName()
                    + type + " for " + method, ex);
        }
        if (slot == null) {   // registered once its body is found: a refused patch leaves no slot
            slot = registry.registerAdded(t.info().loader(), t.cp().className(), mc.name(), mc.descriptor(), mc.isStatic());
        }
        out.overrides.put(slot.id(), found);
        if (addedHere) {
            if (!mc.isStatic()) {
                out.addedInstanceMethods.put(slot, t.c());   // registered as an override once every class is bound
            }
            if (!mc.isStatic() && t.c().isInterface() && isSynthetic(body, found)) {
                out.abstractInterfaceMethods.put(slot, t.c());   // its body only throws AbstractMethodError
            }
            out.added++;
        } else {
            out.activate.add(slot);
            out.replaced++;
        }
    }

    /**
     * The methods and constructors whose access the patch widens ({@link dev.atlas.patch.format.WidenedMethods}):
     * each gets a slot of its own whose entry in the patch's view is the running member, found with
     * full privilege, which {@link OutsideCalls} links calls that the running access refuses to.
     */
    private void bindWidened(Target t, Collected out) {
        List<dev.atlas.patch.format.WidenedMethods.Member> widened;
        try {
            widened = dev.atlas.patch.format.WidenedMethods.of(t.cp());
        } catch (IllegalArgumentException ex) {
            throw new PatchRejectedException("patch " + t.patch().id() + ": " + ex.getMessage(), ex);
        }
        if (widened.isEmpty()) {
            return;
        }
        MethodHandles.Lookup full;
        try {
            full = MethodHandles.privateLookupIn(t.c(), MethodHandles.lookup());
        } catch (IllegalAccessException ex) {
            throw new PatchRejectedException("patch " + t.patch().id() + " widens members of " + t.dottedName()
                    + ", which Atlas cannot reach with private access: " + ex, ex);
        }
        for (dev.atlas.patch.format.WidenedMethods.Member w : widened) {
            String member = t.dottedName() + "#" + w.name() + w.descriptor();
            MethodHandle h;
            try {
                MethodType type = MethodType.fromMethodDescriptorString(w.descriptor(), t.info().loader());
                h = w.name().equals("<init>") ? full.findConstructor(t.c(), type)
                        : w.isStatic() ? full.findStatic(t.c(), w.name(), type) : full.findVirtual(t.c(), w.name(), type);
            } catch (ReflectiveOperationException | TypeNotPresentException ex) {
                throw new PatchRejectedException("patch " + t.patch().id() + " widens the access of " + member
                        + ", which the loaded class does not have as such: " + ex, ex);
            }
            MethodSlot slot = registry.registerWidened(t.info().loader(), t.cp().className(), w.name(), w.descriptor(),
                    w.isStatic());
            out.overrides.put(slot.id(), h);
        }
    }

    /** Whether the body method behind {@code h} is synthetic: the builder's mark of an added abstract interface method. */
    private static boolean isSynthetic(MethodHandles.Lookup body, MethodHandle h) {
        try {
            return body.revealDirect(h).reflectAs(java.lang.reflect.Method.class, body).isSynthetic();
        } catch (IllegalArgumentException | ClassCastException e) {
            return false;
        }
    }

    /**
     * An abstract method this patch adds to interface {@code iface}: every loaded, instrumented,
     * concrete class implementing the interface must get an implementation (its own method, one
     * this or an earlier patch added, or a default), else the patch is refused, naming them.
     */
    private void checkImplemented(String patchId, MethodSlot slot, Class<?> iface) {
        List<String> lacking = new ArrayList<>();
        for (MethodRegistry.LoadedClassInfo info : registry.allLoaded()) {
            Class<?> c;
            try {
                c = Class.forName(dotted(info.className()), false, info.loader());
            } catch (ClassNotFoundException | LinkageError e) {
                continue;
            }
            if (c.isInterface() || java.lang.reflect.Modifier.isAbstract(c.getModifiers()) || !iface.isAssignableFrom(c)) {
                continue;
            }
            if (!InterfaceDispatch.implementedBy(registry, slot, iface, c)) {
                lacking.add(c.getName());
            }
        }
        if (!lacking.isEmpty()) {
            throw new PatchRejectedException("patch " + patchId + " adds abstract method " + iface.getName() + "."
                    + slot.name() + slot.descriptor() + " to the interface, which loaded class" + (lacking.size() == 1 ? " " : "es ")
                    + String.join(", ", lacking) + " implement" + (lacking.size() == 1 ? "s" : "") + " without it (compiled "
                    + "against the old release, outside the patch): a call of it on their objects would have no method to "
                    + "run; remedy: restart on the new release, or build the patch with the new release of those classes");
        }
    }

    /**
     * A constructor that runs through the re-routing guards: a re-routed one by its
     * {@link Constructions#CALL_SLOT} slot (registered at load), an added one by a slot of its own.
     */
    private void bindConstruction(Target t, MethodHandle prologue, MethodChange mc, Collected out) {
        ClassLoader loader = t.info().loader();
        String c = t.cp().className();
        if (mc.kind() == MethodChange.Kind.REPLACED) {
            MethodSlot slot = registry.find(loader, c, Constructions.CALL_SLOT, mc.descriptor());
            if (slot == null) {
                throw new PatchRejectedException("patch " + t.patch().id() + " re-routes constructor " + t.dottedName()
                        + mc.descriptor() + ", which has no re-routing guard in the loaded class");
            }
            out.overrides.put(slot.id(), Constructions.resolver(t.c(), t.info().constructionCalls(), mc.descriptor(), prologue));
            out.activate.add(slot);
            out.replaced++;
        } else {
            // registered as an added method: classes loaded later that construct with it are linked (OutsideCalls.linkNew)
            MethodSlot slot = registry.registerAdded(loader, c, "<init>", mc.descriptor(), false);
            out.overrides.put(slot.id(), prologue);
            out.added++;
        }
    }

    /** The class's entry constructor takes the constructions that new code and this(..) calls hand it. */
    private void bindEntry(Target t, Collected out) {
        String entry = Constructions.entryDescriptor(t.info().constructionCalls());
        MethodSlot slot = entry == null ? null : registry.find(t.info().loader(), t.cp().className(), Constructions.CALL_SLOT, entry);
        if (slot == null) {
            throw new PatchRejectedException("patch " + t.patch().id() + " adds or re-routes constructors of "
                    + t.dottedName() + ", whose first constructor has no re-routing guard");
        }
        if (!out.overrides.containsKey(slot.id())) {
            out.overrides.put(slot.id(), Constructions.resolver(t.c(), t.info().constructionCalls(), entry, null));
            out.activate.add(slot);
        }
    }

    /** A field the patch adds: its initialiser in the body class, and the shadow field (created on first definition). */
    private void defineField(Target t, MethodHandles.Lookup body, FieldAddition fa) {
        String patchId = t.patch().id();
        String field = t.dottedName() + "." + fa.name();
        MethodHandle init = null;
        if (fa.initializerMethod() != null) {
            MethodType type;
            try {
                type = MethodType.fromMethodDescriptorString("()" + fa.descriptor(), t.info().loader());
            } catch (TypeNotPresentException ex) {
                throw new PatchRejectedException("patch " + patchId + " adds field " + field
                        + " of a type that the loader of " + t.dottedName() + " cannot load: " + ex.typeName(), ex);
            }
            if (!fa.isStatic()) {
                type = type.insertParameterTypes(0, t.c());
            }
            try {
                init = body.findStatic(body.lookupClass(), fa.initializerMethod(), type);
            } catch (ReflectiveOperationException | NullPointerException ex) {
                throw new PatchRejectedException("patch " + patchId + ": no initialiser "
                        + fa.initializerMethod() + type + " for new field " + field, ex);
            }
        }
        try {
            fields.define(t.info().loader(), t.cp().className(), fa.name(), fa.descriptor(), fa.isStatic(), init);
        } catch (IllegalArgumentException ex) {   // exists with the other static-ness
            throw new PatchRejectedException("patch " + patchId + " adds " + (fa.isStatic() ? "static"
                    : "instance") + " field " + field + ": " + ex.getMessage(), ex);
        }
    }

    private static java.util.Set<String> addedNames(Patch patch, AddedClassNames names) {
        java.util.Set<String> s = new java.util.HashSet<>();
        for (AddedClass ac : patch.addedClasses()) {
            s.add(names.name(ac));
        }
        return s;
    }

    /**
     * Defines the added classes in {@code loader}, each under the name {@code names} chose (its
     * own, or the patch's renamed form), with the other added classes named the same way; a
     * class defined by an earlier apply of the patch under that name is reused.
     */
    private PatchContext defineAddedClasses(Patch patch, ClassLoader loader, AddedClassNames names, List<String> defined) {
        PatchContext ctx = new PatchContext(patch.id(), loader, registry, fields);
        for (AddedClass ac : patch.addedClasses()) {
            String name = names.name(ac);
            try {
                Class<?> host = Class.forName(dotted(ac.hostClassName()), false, loader);
                Class<?> c;
                try {
                    c = Class.forName(dotted(name), false, loader);   // applied before (rolled back, applied again)
                } catch (ClassNotFoundException notYet) {
                    byte[] bytes = names.bytes(fixups.apply(loader, ac.bytes()));
                    c = ac.inNewPackage() ? defineInNewPackage(patch.id(), name, host, bytes)
                            : MethodHandles.privateLookupIn(host, MethodHandles.lookup()).defineClass(bytes);
                    defined.add(c.getName());
                    if (names.ownName(ac)) {
                        Linkage.bindAddedSource(c, new AddedClassNames.Source(patch.id(), bytes));
                    }
                }
                Linkage.bind(c, ctx);
            } catch (ReflectiveOperationException | LinkageError | IllegalArgumentException | SecurityException ex) {
                // IllegalArgumentException: the ClassFile API's verdict on damaged bytes (ConstantPoolException...)
                throw new PatchRejectedException("patch " + patch.id() + ": added class " + dotted(name)
                        + " does not load: " + ex, ex);
            }
        }
        return ctx;
    }

    /**
     * A class in a package its loader has no class of: defined by the loader itself
     * ({@link PackageDefiner}) with the host's protection domain (the old release's code
     * source), into the loader's unnamed module. Refused where that would not behave like the
     * new release: the old release runs in a named module (the package would be outside it),
     * or a jar of the same loader already holds the package sealed.
     */
    private Class<?> defineInNewPackage(String patchId, String internalName, Class<?> host, byte[] bytes) {
        String name = dotted(internalName);
        String pkg = name.lastIndexOf('.') < 0 ? "" : name.substring(0, name.lastIndexOf('.'));
        ClassLoader loader = host.getClassLoader();
        if (host.getModule().isNamed()) {
            throw new PatchRejectedException("patch " + patchId + " adds class " + name + " in package " + pkg
                    + ", which is new, while the old release runs in named module " + host.getModule().getName()
                    + " (a module's packages are fixed when it is defined: the class would be outside it); remedy: "
                    + "restart on the new release");
        }
        Package existing = loader == null ? null : loader.getDefinedPackage(pkg);
        if (existing != null && existing.isSealed()) {
            throw new PatchRejectedException("patch " + patchId + " adds class " + name + " to package " + pkg
                    + ", which another jar of its class loader holds sealed; remedy: restart on the new release");
        }
        if (loader == null) {
            throw new PatchRejectedException("patch " + patchId + " adds class " + name + " in a new package of the "
                    + "bootstrap class loader, which a patch cannot add to");
        }
        return packages.define(host, name, bytes);
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

    /** Hands out the call-site table numbers; a class, not a lambda (no call-site linkage at the patch instant). */
    private final class TableNumbers implements java.util.function.IntSupplier {
        @Override
        public int getAsInt() {
            return ++tables;
        }
    }
}
