package dev.atlas.patch.build;

import dev.atlas.patch.classfile.ClassFingerprint;
import dev.atlas.patch.classfile.CanonicalCode;
import dev.atlas.patch.classfile.ConstructorCall;
import dev.atlas.patch.format.AddedClass;
import dev.atlas.patch.format.ClassPatch;
import dev.atlas.patch.format.FieldAddition;
import dev.atlas.patch.format.MethodChange;
import dev.atlas.patch.format.Patch;
import dev.atlas.patch.format.PatchIds;
import java.io.IOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.FieldModel;
import java.lang.classfile.MethodModel;
import java.lang.classfile.instruction.InvokeDynamicInstruction;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.constant.DirectMethodHandleDesc;
import java.lang.constant.ConstantDesc;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * {@code atlas patch build}: diffs two builds method by method and makes a patch, or says
 * exactly why it will not.
 *
 * {@snippet class=dev.atlas.patch.snippets.BuilderSnippets region=patch-builder}
 *
 * <p>What a patch can hold: changed method bodies, new methods, new classes, new instance
 * and static fields (shadow fields, with initialisers that use only {@code this} and
 * constants), a changed static initialiser with an explicit {@code atlas$transfer()} hook,
 * lambdas (matched by body, not number), anonymous classes (matched by content, renamed
 * when new or reshaped). Reported, not applied (the running class keeps them): removed
 * methods and fields (kept for callers outside the patch), narrowed member access, an added
 * {@code final}. What it refuses, each with the reason and the remedy: changed superclass or
 * interfaces, changed field types, widened access, removed overrides, changed constructors,
 * new overrides, changed enum constants. Debug-only and annotation-only differences are ignored (noted).
 *
 * <p>Implementation notes: the work is in {@link ClassDiff} (what changes),
 * {@link BodyGenerator}/{@link AddedClassWriter}/{@link CodeRewriter} (the code, following
 * docs/design/patch-contract.md) and {@link dev.atlas.patch.format.PatchIds} (the id,
 * computed over the content with a placeholder in generated names, then written in).
 * All-or-nothing: any refusal means no patch. Stateless; each call is independent.
 */
public final class PatchBuilder {
    private static final String PLACEHOLDER8 = PatchIds.PLACEHOLDER_ID.substring(0, 8);

    private PatchBuilder() {
    }

    /**
     * Diffs {@code oldBuild} against {@code newBuild} (each a jar or a class directory).
     *
     * @throws IOException if a build cannot be read
     */
    public static BuildResult diff(Path oldBuild, Path newBuild, BuildOptions options) throws IOException {
        Objects.requireNonNull(options, "options");
        Map<String, byte[]> oldBytes = filter(Builds.read(oldBuild), options);
        Map<String, byte[]> newBytes = filter(Builds.read(newBuild), options);
        Map<String, byte[]> libraries = new HashMap<>();
        for (Path lib : options.classpath()) {
            Builds.read(lib).forEach(libraries::putIfAbsent);
        }
        return diff(oldBytes, newBytes, libraries, Builds.changedResources(oldBuild, newBuild), options);
    }

    /** Diffs two builds given as class bytes by internal name (already filtered), with no changed resources. */
    static BuildResult diff(Map<String, byte[]> oldBytes, Map<String, byte[]> newBytes, Map<String, byte[]> libraries,
                            BuildOptions options) {
        return diff(oldBytes, newBytes, libraries, Set.of(), options);
    }

    private static BuildResult diff(Map<String, byte[]> oldBytes, Map<String, byte[]> builtBytes, Map<String, byte[]> libraries,
                                    Set<String> changedResources, BuildOptions options) {
        List<Refusal> refusals = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        List<String> unapplied = new ArrayList<>();   // changes reported, not applied (Patch.unappliedChanges)
        Map<String, ClassModel> oldModels = parse(oldBytes);
        Map<String, ClassModel> builtModels = parse(builtBytes);

        // 1. which new class is which old class
        Map<String, String> pairs = new TreeMap<>(); // new name -> old name
        Set<String> added = new java.util.TreeSet<>();
        matchClasses(oldModels, builtModels, pairs, added);
        Map<String, String> renames = new HashMap<>();
        pairs.forEach((n, o) -> {
            if (!n.equals(o)) {
                renames.put(n, o);
            }
        });
        added.forEach(n -> renames.put(n, n + "$$AtlasPatch$" + PLACEHOLDER8));
        UnaryOperator<String> names = n -> renames.getOrDefault(n, n);
        // 1b. renamed private fields: the new build uses the running field under its running name
        RenamedFields.Outcome renamedFields = RenamedFields.rewrite(pairs, oldModels, builtModels, builtBytes, names,
                new Hierarchy(builtModels, libraries));
        notes.addAll(renamedFields.notes());
        Map<String, byte[]> newBytes = renamedFields.newBytes();
        Map<String, ClassModel> newModels = renamedFields.newModels();
        Hierarchy hierarchy = new Hierarchy(newModels, libraries);
        Set<String> claimed = new HashSet<>(pairs.values());
        for (String o : oldModels.keySet()) {
            if (!claimed.contains(o)) {
                notes.add(o + ": class removed in the new build; it stays loaded, unused by new code");
            }
        }

        // 2. what changes in each pair
        List<ClassDiff.Plan> plans = new ArrayList<>();
        for (Map.Entry<String, String> p : pairs.entrySet()) {
            byte[] ob = oldBytes.get(p.getValue());
            byte[] nb = newBytes.get(p.getKey());
            ClassModel om = oldModels.get(p.getValue());
            ClassModel nm = newModels.get(p.getKey());
            if (ClassFingerprint.of(ob).equals(ClassFingerprint.of(nb)) && p.getKey().equals(p.getValue())) {
                if (!Arrays.equals(ob, nb) && !renamedFields.renamedIn(p.getKey())) {
                    refusals.addAll(AnnotationChanges.changed(om, nm, p.getValue()));
                    notes.add(p.getValue() + (AnnotationChanges.canonical(om).equals(AnnotationChanges.canonical(nm))
                            ? ": debug-only differences ignored" : ": annotation-only differences ignored"));
                }
                continue;
            }
            ClassDiff d = new ClassDiff(om, nm, hierarchy, names, refusals, notes);
            d.analyse().filter(plan -> !plan.isEmpty()).ifPresent(plans::add);
            unapplied.addAll(d.reported());
            lostAbstract(om, nm, hierarchy, oldModels, names, refusals, notes, unapplied);
        }
        for (String n : added) {
            refusals.addAll(AnnotationChanges.added(newModels.get(n), n));
        }
        refusals.addAll(RemovedImplementations.refusals(plans, oldModels, claimed));
        refusals.addAll(ReflectedAddedFields.refusals(plans, newModels));
        List<String> deserializedDefaults = new ArrayList<>();
        refusals.addAll(SerializedAddedFields.refusals(plans, hierarchy, options, deserializedDefaults));
        for (String c : options.deserializedDefaults()) {
            String internal = c.replace('.', '/');
            if (deserializedDefaults.stream().noneMatch(r -> r.startsWith(internal + ":"))) {
                refusals.add(new Refusal(internal, "", "--deserialized-defaults names this class, but the patch adds or "
                        + "retypes no instance field of a serializable class of that name; remedy: leave it out of the option"));
            }
        }
        notes.addAll(deserializedDefaults);
        unapplied.addAll(deserializedDefaults);
        if (!refusals.isEmpty()) {
            return new BuildResult(Optional.empty(), refusals, notes);
        }
        // 2b. static state that class initialisation built with changed code: a copy per view
        Map<String, String> rerun = new LinkedHashMap<>();
        Map<String, List<String>> twins = new LinkedHashMap<>();
        plans = StaticState.rebuild(plans, newModels, oldModels, pairs, refusals, notes, rerun, twins);
        if (!refusals.isEmpty()) {
            return new BuildResult(Optional.empty(), refusals, notes);
        }
        // 2c. changed static initialisers that cannot be split per field: the new view runs them whole
        ViewInitializers.Prepared views = ViewInitializers.prepare(plans, rerun, twins, newModels, changedResources, notes);
        plans = views.plans();
        for (String h : views.holders()) {
            added.add(h);
            renames.put(h, h + "$$AtlasPatch$" + PLACEHOLDER8);
        }
        // 2c'. static fields the patch adds: valued together, as the new static initialiser values them
        AddedStatics.Prepared addedStatics = AddedStatics.prepare(plans, rerun.keySet(), newModels, notes);
        plans = addedStatics.plans();
        for (String h : addedStatics.holders()) {
            added.add(h);
            renames.put(h, h + "$$AtlasPatch$" + PLACEHOLDER8);
        }

        // 2d. object state that constructors build with changed code: rebuilt where the operator named the
        // method that resets it (RebuiltObjects), else reported, not rebuilt
        Map<String, String> rebuilt = new LinkedHashMap<>();
        plans = RebuiltObjects.apply(plans, options.rebuildObjects(), newModels, oldModels, names, refusals, rebuilt);
        if (!refusals.isEmpty()) {
            return new BuildResult(Optional.empty(), refusals, notes);
        }
        for (Map.Entry<String, String> r : rebuilt.entrySet()) {
            notes.add(RebuiltObjects.note(r.getKey(), r.getValue()));
        }
        for (String report : ConstructedState.reports(plans)) {
            if (!rebuilt.containsKey(ConstructedState.className(report))) {
                notes.add(report);
                unapplied.add(report);
            }
        }

        // 3. generate the code
        GenContext ctx = new GenContext(hierarchy, oldModels, renames);
        ctx.rebuiltObjects.putAll(rebuilt);
        ctx.addedClasses.addAll(added);
        ctx.viewHolders.putAll(views.fields());
        ctx.addedStaticHolders.putAll(addedStatics.fields());
        twins.keySet().forEach(e -> ctx.constantStates.put(e, views.fields().get(e + "." + EnumConstantStates.FIELD)));
        for (ClassDiff.Plan plan : plans) {
            String n = plan.newModel().thisClass().asInternalName();
            Map<String, MethodModel> am = new HashMap<>();
            for (MethodModel m : plan.added()) {
                am.put(m.methodName().stringValue() + m.methodType().stringValue(), m);
                String loadedName = ClassDiff.addedName(plan.oldModel(), m);
                if (!loadedName.equals(m.methodName().stringValue())) {
                    ctx.addedNames.put(n + "." + m.methodName().stringValue() + m.methodType().stringValue(), loadedName);
                }
            }
            ctx.addedMethods.put(n, am);
            Map<String, FieldModel> af = new HashMap<>();
            for (FieldModel f : plan.newFields()) {
                af.put(f.fieldName().stringValue(), f);
                String loadedName = RetypedFields.addedName(plan.oldModel(), f.fieldName().stringValue());
                if (!loadedName.equals(f.fieldName().stringValue())) {
                    ctx.addedFieldNames.put(n + "." + f.fieldName().stringValue(), loadedName);
                }
            }
            ctx.addedFields.put(n, af);
            ctx.viewStatics.put(n, plan.viewStatics().keySet());
            ctx.bodyClasses.add(bodyName(plan.className()));
        }
        List<ClassPatch> classPatches = new ArrayList<>();
        for (ClassDiff.Plan plan : plans) {
            classPatch(plan, ctx, oldBytes, newBytes, refusals).ifPresent(classPatches::add);
        }
        List<AddedClass> addedClasses = new ArrayList<>();
        Set<String> newPackages = new java.util.TreeSet<>();
        for (String n : AddedClassWriter.supertypesFirst(added, newModels)) {
            Optional<String> host = host(n, oldModels);
            if (host.isEmpty()) {
                refusals.add(new Refusal(n, "", "new class, and the old build has no class to define it beside"));
                continue;
            }
            if (!Hierarchy.packageOf(host.get()).equals(Hierarchy.packageOf(n))) {
                newPackages.add(Hierarchy.packageOf(n));
            }
            try {
                byte[] bytes = AddedClassWriter.write(newModels.get(n), ctx);
                verify(ctx, n, bytes, refusals);
                addedClasses.add(new AddedClass(renames.get(n), host.get(), bytes));
            } catch (IllegalArgumentException | IllegalStateException e) {
                refusals.add(new Refusal(n, "", "cannot write the added class (a builder bug: please report it with the two jars): "
                        + firstLine(e.getMessage())));
            }
        }
        refusals.addAll(ctx.problems);
        if (!refusals.isEmpty()) {
            return new BuildResult(Optional.empty(), refusals, notes);
        }
        for (String pkg : newPackages) {
            notes.add(pkg + ": package new in the new build; its classes are defined in the loader of the old "
                    + "release's classes, with their code source, each under its own name where the loader has no class "
                    + "of that name, else under the patch's name (…$$AtlasPatch$<id>; the apply reply says which and why)");
        }
        if (classPatches.isEmpty() && addedClasses.isEmpty()) {
            notes.add("no code differences: the patch is empty");
        }
        if (!changedResources.isEmpty()) {
            notes.add(changedResources.size() + " resource(s) that the new build adds, changes or removes are NOT carried "
                    + "by the patch (code in every view, patched code included, reads the running release's; the patch "
                    + "records them, and inspect and apply name them): " + String.join(", ", changedResources));
        }
        Patch draft = new Patch(Patch.FORMAT_VERSION, PatchIds.PLACEHOLDER_ID, options.description(), classPatches, addedClasses,
                List.copyOf(changedResources), unapplied);
        return new BuildResult(Optional.of(PatchIds.assign(draft)), List.of(), notes);
    }

    /**
     * The methods of a class that lose {@code abstract} in the new build: reported, not applied,
     * or refused, depending on every class of the two builds ({@link AbstractMethodChange}).
     */
    private static void lostAbstract(ClassModel om, ClassModel nm, Hierarchy hierarchy, Map<String, ClassModel> oldModels,
                                     UnaryOperator<String> names, List<Refusal> refusals, List<String> notes,
                                     List<String> unapplied) {
        String c = om.thisClass().asInternalName();
        for (MethodModel o : om.methods()) {
            int of = o.flags().flagsMask();
            if ((of & ClassFile.ACC_ABSTRACT) == 0) {
                continue;
            }
            String k = o.methodName().stringValue() + o.methodType().stringValue();
            for (MethodModel n : nm.methods()) {
                int nf = n.flags().flagsMask();
                if (n.methodName().equalsString(o.methodName().stringValue()) && n.methodType().equalsString(o.methodType().stringValue())
                        && (nf & (ClassFile.ACC_ABSTRACT | ClassFile.ACC_NATIVE)) == 0 && ((of ^ nf) & ClassFile.ACC_STATIC) == 0) {
                    AbstractMethodChange.lostAbstract(hierarchy, oldModels, names, nm, o.methodName().stringValue(),
                            o.methodType().stringValue()).ifPresentOrElse(r -> refusals.add(new Refusal(c, k, "method " + r)), () -> {
                                String note = AbstractMethodChange.lostAbstractNote(c, k);
                                notes.add(note);
                                unapplied.add(note);
                            });
                }
            }
        }
    }

    private static String bodyName(String className) {
        return className + "$$AtlasPatch$" + PLACEHOLDER8;
    }

    private static Optional<ClassPatch> classPatch(ClassDiff.Plan plan, GenContext ctx, Map<String, byte[]> oldBytes,
                                                   Map<String, byte[]> newBytes, List<Refusal> refusals) {
        String c = plan.className();
        List<MethodChange> methods = new ArrayList<>();
        for (MethodModel m : plan.replaced()) {
            methods.add(change(MethodChange.Kind.REPLACED, plan, m, ctx));
        }
        for (MethodModel m : BodyGenerator.changedArguments(plan, ctx)) {
            methods.add(MethodChange.of(MethodChange.Kind.REPLACED, ConstructorCall.ARGUMENTS_METHOD, ConstructorCall
                    .argumentsDescriptor(ctx.remap.map(m.methodTypeSymbol()).descriptorString()), true));
        }
        for (MethodModel m : plan.added()) {
            methods.add(change(MethodChange.Kind.ADDED, plan, m, ctx));
        }
        List<FieldAddition> fields = new ArrayList<>();
        for (FieldModel f : plan.newFields()) {
            String n = f.fieldName().stringValue();
            String loadedName = RetypedFields.addedName(plan.oldModel(), n);
            boolean hasInit = plan.initializers().containsKey(n) || plan.constantInitializers().containsKey(n)
                    || RetypedFields.running(plan.oldModel(), f).filter(of -> RetypedFields.carries(of, f)).isPresent();
            fields.add(new FieldAddition(loadedName, ctx.remap.map(f.fieldTypeSymbol()).descriptorString(),
                    (f.flags().flagsMask() & ClassFile.ACC_STATIC) != 0, hasInit ? FieldAddition.initializerNameFor(loadedName) : null));
        }
        for (String n : plan.viewStatics().keySet()) {
            FieldModel f = plan.newModel().fields().stream().filter(x -> x.fieldName().equalsString(n)).findFirst().orElseThrow();
            fields.add(new FieldAddition(StaticState.PREFIX + n, ctx.remap.map(f.fieldTypeSymbol()).descriptorString(), true,
                    FieldAddition.initializerNameFor(StaticState.PREFIX + n)));
        }
        String hook = null;
        if (plan.transferHook() != null) {
            hook = plan.replaced().contains(plan.transferHook()) ? "replaced$atlas$transfer"
                    : plan.added().contains(plan.transferHook()) ? "added$atlas$transfer" : BodyGenerator.TRANSFER_COPY;
        }
        boolean needsBody = !methods.isEmpty() || hook != null || fields.stream().anyMatch(f -> f.initializerMethod() != null)
                || !WidenedAccess.members(plan.oldModel(), plan.newModel()).isEmpty();   // carries the widened members' list
        byte[] body = null;
        if (needsBody) {
            try {
                body = BodyGenerator.generate(plan, ctx, bodyName(c));
            } catch (IllegalArgumentException | IllegalStateException e) {
                refusals.add(new Refusal(c, "", "cannot generate the body class: " + e.getMessage()));
                return Optional.empty();
            }
            verify(ctx, c, body, refusals);
        }
        String newName = plan.newModel().thisClass().asInternalName();
        return Optional.of(new ClassPatch(c, ClassFingerprint.of(oldBytes.get(c)), ClassFingerprint.of(newBytes.get(newName)),
                methods, fields, body, hook));
    }

    private static MethodChange change(MethodChange.Kind kind, ClassDiff.Plan plan, MethodModel m, GenContext ctx) {
        String name = kind == MethodChange.Kind.ADDED ? ClassDiff.addedName(plan.oldModel(), m) : m.methodName().stringValue();
        return new MethodChange(kind, name, ctx.remap.map(m.methodTypeSymbol()).descriptorString(), ClassDiff.isStatic(m),
                MethodChange.bodyMethodNameFor(kind, name), Constructors.initCall(plan, m, ctx));
    }

    private static void verify(GenContext ctx, String className, byte[] bytes, List<Refusal> refusals) {
        List<VerifyError> errors = ctx.classFile().verify(bytes);
        if (!errors.isEmpty()) {
            refusals.add(new Refusal(className, "", "generated code does not verify (a builder bug: please report it with the "
                    + "two jars): " + firstLine(errors.getFirst().getMessage())));
        }
    }

    /** A refusal is one line: the class-file API appends the method's code and stack maps to its message. */
    private static String firstLine(String message) {
        if (message == null) {
            return "(no message)";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl).strip();
    }

    private static Map<String, byte[]> filter(Map<String, byte[]> classes, BuildOptions options) {
        Map<String, byte[]> result = new TreeMap<>();
        classes.forEach((n, b) -> {
            if (options.accepts(n)) {
                result.put(n, b);
            }
        });
        return result;
    }

    private static Map<String, ClassModel> parse(Map<String, byte[]> bytes) {
        Map<String, ClassModel> models = new TreeMap<>();
        bytes.forEach((n, b) -> {
            ClassModel m;
            try {
                m = ClassFile.of().parse(b);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(n + ".class is not a valid class file: " + e.getMessage(), e);
            }
            models.put(m.thisClass().asInternalName(), m);
        });
        return models;
    }

    static boolean isAnonymous(String internalName) {
        return internalName.matches(".*\\$\\d+");
    }

    private static String topLevel(String n) {
        int d = n.indexOf('$', n.lastIndexOf('/') + 1);
        return d < 0 ? n : n.substring(0, d);
    }

    /**
     * The old class an added class is defined beside: its top-level class, a class of its
     * package, or, for a package the old build does not have, the old class whose package
     * shares the longest prefix with it (the runtime defines the class in that class's loader).
     */
    private static Optional<String> host(String added, Map<String, ClassModel> oldModels) {
        String top = topLevel(added);
        if (oldModels.containsKey(top)) {
            return Optional.of(top);
        }
        String pkg = Hierarchy.packageOf(added);
        Optional<String> samePackage = oldModels.keySet().stream().filter(o -> Hierarchy.packageOf(o).equals(pkg)).findFirst();
        if (samePackage.isPresent()) {
            return samePackage;
        }
        String best = null;
        int bestLength = -1;
        for (String o : oldModels.keySet()) {
            String op = Hierarchy.packageOf(o);
            int common = 0;
            while (common < Math.min(op.length(), pkg.length()) && op.charAt(common) == pkg.charAt(common)) {
                common++;
            }
            if (common > bestLength && !isAnonymous(o)) {
                best = o;
                bestLength = common;
            }
        }
        return Optional.ofNullable(best);
    }

    /** Matches new classes to old ones: by name, and anonymous classes by content (they get renumbered). */
    private static void matchClasses(Map<String, ClassModel> oldModels, Map<String, ClassModel> newModels,
                                     Map<String, String> pairs, Set<String> added) {
        List<String> anon = new ArrayList<>();
        for (String n : newModels.keySet()) {
            if (isAnonymous(n)) {
                anon.add(n);
            } else if (oldModels.containsKey(n)) {
                pairs.put(n, n);
            } else {
                added.add(n);
            }
        }
        Map<String, String> oldNorm = new HashMap<>();
        oldModels.forEach((n, m) -> {
            if (isAnonymous(n)) {
                oldNorm.put(n, normalized(m));
            }
        });
        Set<String> claimed = new HashSet<>();
        Map<String, String> newNorm = new LinkedHashMap<>();
        for (String n : anon) {
            newNorm.put(n, normalized(newModels.get(n)));
        }
        for (String n : anon) { // same name, same content
            if (newNorm.get(n).equals(oldNorm.get(n))) {
                pairs.put(n, n);
                claimed.add(n);
            }
        }
        for (String n : anon) { // renumbered: same content under another number of the same outer class
            if (pairs.containsKey(n)) {
                continue;
            }
            String outer = n.substring(0, n.lastIndexOf('$'));
            for (Map.Entry<String, String> o : oldNorm.entrySet()) {
                if (!claimed.contains(o.getKey()) && o.getKey().startsWith(outer + "$")
                        && o.getKey().substring(0, o.getKey().lastIndexOf('$')).equals(outer)
                        && o.getValue().equals(newNorm.get(n))) {
                    pairs.put(n, o.getKey());
                    claimed.add(o.getKey());
                    break;
                }
            }
        }
        for (String n : anon) { // same name, same shape, changed code: patched in place; otherwise added
            if (pairs.containsKey(n)) {
                continue;
            }
            ClassModel om = oldModels.get(n);
            if (om != null && !claimed.contains(n) && shape(om).equals(shape(newModels.get(n)))) {
                pairs.put(n, n);
                claimed.add(n);
            } else {
                added.add(n);
            }
        }
    }

    private static UnaryOperator<String> anonPlaceholders(ClassModel m) {
        String self = m.thisClass().asInternalName();
        String top = topLevel(self);
        return n -> n.equals(self) ? "#SELF" : (isAnonymous(n) && topLevel(n).equals(top) ? "#ANON" : n);
    }

    private static String shape(ClassModel m) {
        UnaryOperator<String> names = anonPlaceholders(m);
        CanonicalCode canon = CanonicalCode.of(names, d -> null);
        StringBuilder sb = new StringBuilder();
        sb.append(m.superclass().map(e -> names.apply(e.asInternalName())).orElse("-"));
        m.interfaces().forEach(i -> sb.append(' ').append(names.apply(i.asInternalName())));
        m.fields().forEach(f -> sb.append(';').append(f.flags().flagsMask()).append(f.fieldName().stringValue())
                .append(canon.desc(f.fieldTypeSymbol())));
        return sb.toString();
    }

    private static String normalized(ClassModel m) {
        UnaryOperator<String> names = anonPlaceholders(m);
        CanonicalCode canon = CanonicalCode.of(names, d -> null);
        StringBuilder sb = new StringBuilder(shape(m)).append('\n');
        m.methods().stream()
                .sorted(java.util.Comparator.comparing((MethodModel x) -> x.methodName().stringValue() + canon.methodType(x.methodTypeSymbol())))
                .forEach(x -> sb.append(x.flags().flagsMask()).append(' ').append(x.methodName().stringValue())
                        .append(canon.methodType(x.methodTypeSymbol())).append(ClassDiff.text(m, x, names)).append('\n'));
        return sb.toString();
    }

    /** Whether any class of the build calls or refers to {@code owner.m}. */
    static boolean isReferenced(Hierarchy build, String owner, MethodModel m) {
        String name = m.methodName().stringValue();
        String desc = m.methodType().stringValue();
        for (ClassModel c : build.buildClasses()) {
            for (MethodModel x : c.methods()) {
                if (x.code().isEmpty()) {
                    continue;
                }
                for (var e : x.code().get()) {
                    if (e instanceof InvokeInstruction v && v.owner().asInternalName().equals(owner)
                            && v.name().equalsString(name) && v.type().equalsString(desc)) {
                        return true;
                    }
                    if (e instanceof InvokeDynamicInstruction d) {
                        for (ConstantDesc a : d.bootstrapArgs()) {
                            if (a instanceof DirectMethodHandleDesc h && CanonicalCode.internalName(h.owner()).equals(owner)
                                    && h.methodName().equals(name) && h.lookupDescriptor().equals(desc)) {
                                return true;
                            }
                        }
                    }
                }
            }
        }
        return false;
    }
}
