package dev.atlas.patch.build;

import dev.atlas.patch.classfile.CanonicalCode;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.CodeElement;
import java.lang.classfile.FieldModel;
import java.lang.classfile.Instruction;
import java.lang.classfile.MethodModel;
import java.lang.classfile.Opcode;
import java.lang.classfile.instruction.FieldInstruction;
import java.lang.classfile.instruction.InvokeDynamicInstruction;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.constant.DirectMethodHandleDesc;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Static state built at class initialisation by code the patch changes. A class initialised
 * before the patch keeps what its static initialiser computed with the old code (a singleton,
 * a lookup table), and the JVM never runs that initialiser again. For a {@code static final}
 * field whose initialiser ({@code F = <expr>;} in {@code <clinit>}, unchanged itself) reaches
 * a replaced or added method or constructor through the new build's calls, the new view gets
 * its own copy: a static shadow field {@code atlas$view$F} whose initialiser is that
 * expression (run once, by the first thread of the new view that reads it, like a class
 * initialiser), and every method of the build that reads {@code F} is replaced so that it
 * reads the copy. The old view keeps reading the running field; rollback goes back to it.
 * The same holds for a field whose initialiser itself changed ({@link ChangedStaticInitializer}),
 * and, to a fixed point, for a field whose initialiser reads a copied field.
 *
 * <p>Refused, with the reason, when the state cannot be kept consistent that way: the field
 * is not final (other code may write it), its initialiser is not a statement of its own, the
 * static initialiser reaches changed code outside field initialisers, or a reader cannot be
 * replaced (another static initialiser, a synthetic method). A lambda body that reads it has
 * no entry guard (it is synthetic), so the methods that create the lambda are replaced
 * instead: their new code creates lambdas whose bodies are copies in the body class, which
 * read the copy; lambda objects created before the apply keep the loaded body (a build note).
 *
 * <p>Implementation notes: reachability follows invoke instructions (and lambda bodies)
 * to methods declared in the new build, by owner, name and descriptor, walking up to the
 * superclasses in the build; overriding methods in subclasses are not followed. Single use.
 */
final class StaticState {
    /** Prefix of the shadow field that holds a view's copy of a static field. */
    static final String PREFIX = dev.atlas.patch.format.StaticStateSummary.VIEW_COPY_PREFIX;
    private static final int MAX_VISITED = 5000;
    private static final int MAX_ROUNDS = 16;

    private final Map<String, ClassModel> newModels;
    private final Map<String, ClassModel> oldModels;
    private final Map<String, String> newToOld;
    private final Set<String> changed = new HashSet<>();
    /** Static fields with a copy for the new view, {@code owner.field} (new-build names). */
    private final Set<String> copied = new HashSet<>();
    private List<Refusal> refusals;
    private final List<String> notes;

    private StaticState(Map<String, ClassModel> newModels, Map<String, ClassModel> oldModels, Map<String, String> newToOld,
                        List<ClassDiff.Plan> plans, List<Refusal> refusals, List<String> notes) {
        this.newModels = newModels;
        this.oldModels = oldModels;
        this.newToOld = newToOld;
        this.refusals = refusals;
        this.notes = notes;
        for (ClassDiff.Plan p : plans) {
            String owner = p.newModel().thisClass().asInternalName();
            p.replaced().forEach(m -> changed.add(key(owner, m)));
            p.added().forEach(m -> changed.add(key(owner, m)));
            p.viewStatics().keySet().forEach(f -> copied.add(owner + "." + f));
        }
    }

    /**
     * The plans with the view copies of static state added (new plans for classes whose only
     * change is that their methods read such a copy); refusals and notes go to the lists.
     * Classes whose new view runs the whole new static initialiser ({@link ViewInitializers})
     * go to {@code rerun} (new-build name to the reason), their readers into the plans. Enums
     * among them whose running constants get the new release's state for the new view go to
     * {@code twins} (new-build name to those constants, {@link EnumConstantStates}); the
     * readers of their instance fields are replaced too.
     *
     * @param newToOld paired classes, new-build name to old-build name
     * @param oldModels the old build, by name
     */
    static List<ClassDiff.Plan> rebuild(List<ClassDiff.Plan> plans, Map<String, ClassModel> newModels,
                                        Map<String, ClassModel> oldModels, Map<String, String> newToOld,
                                        List<Refusal> refusals, List<String> notes, Map<String, String> rerun,
                                        Map<String, List<String>> twins) {
        StaticState s = new StaticState(newModels, oldModels, newToOld, plans, refusals, notes);
        Map<String, ClassDiff.Plan> byNew = new LinkedHashMap<>();
        for (ClassDiff.Plan p : plans) {
            byNew.put(p.newModel().thisClass().asInternalName(), p);
        }
        Map<String, Map<String, Segment>> copies = new LinkedHashMap<>();
        for (ClassDiff.Plan p : plans) {
            if (!p.viewStatics().isEmpty()) {
                copies.put(p.newModel().thisClass().asInternalName(), new LinkedHashMap<>(p.viewStatics()));
            }
        }
        // changed static initialisers that cannot be split per field (ClassDiff left them to this class)
        for (Map.Entry<String, String> pair : newToOld.entrySet()) {
            ClassModel nm = newModels.get(pair.getKey());
            ClassModel om = oldModels.get(pair.getValue());
            boolean hook = nm.methods().stream().anyMatch(m -> m.methodName().equalsString("atlas$transfer"));
            if (!hook && ViewInitializers.clinit(nm).isPresent()) {
                String why = ChangedStaticInitializer.analyse(om, nm, x -> newToOld.getOrDefault(x, x)).rerun();
                if (why != null) {
                    s.rerun(pair.getKey(), why, rerun, copies);
                }
            }
        }
        // to a fixed point: state built from a copied field needs a copy too (or is refused)
        for (int round = 0; round < MAX_ROUNDS; round++) {
            int known = s.copied.size() + rerun.size();
            s.refusals = new ArrayList<>();
            for (Map.Entry<String, String> pair : newToOld.entrySet()) {
                if (!rerun.containsKey(pair.getKey())) {
                    s.classState(newModels.get(pair.getKey()), copies, rerun);
                }
            }
            // another class's static initialiser that reads a copied field: its state is rebuilt too
            for (ClassModel c : newModels.values()) {
                String cn = c.thisClass().asInternalName();
                Optional<MethodModel> ci = ViewInitializers.clinit(c);
                if (ci.isEmpty() || rerun.containsKey(cn) || !newToOld.containsKey(cn)) {
                    continue;
                }
                s.readsCopied(ci.get(), cn).ifPresent(f -> s.rerun(cn, "its static initialiser reads " + f
                        + ", whose new view has its own copy", rerun, copies));
            }
            if (s.copied.size() + rerun.size() == known) {
                break;
            }
        }
        refusals.addAll(s.refusals);
        s.refusals = refusals;
        for (String c : rerun.keySet()) {
            ClassModel m = newModels.get(c);
            if (ViewInitializers.viewFields(m, oldModels.get(s.old(c))).isEmpty()) {
                refusals.add(new Refusal(s.old(c), "<clinit>", "the static state of this class would have to be rebuilt "
                        + "for the new view (" + rerun.get(c) + "), but its static initialiser sets no static field of its "
                        + "own: what it does lies elsewhere, shared by both views; remedy: restart on the new release"));
            } else if (EnumChanges.isEnum(m)) {
                ClassModel om = oldModels.get(s.old(c));
                Optional<String> why = s.enumRefusal(m, om);
                List<String> changedConstants = why.isPresent() ? List.of()
                        : EnumConstantStates.changed(m, om, s::old, code -> s.reaches(code, c));
                if (why.isEmpty() && !changedConstants.isEmpty()) {
                    why = EnumConstantStates.refusal(m, om, changedConstants, newModels.values(), oldModels.values());
                    if (why.isEmpty()) {
                        twins.put(c, changedConstants);
                    }
                }
                why.ifPresent(w -> refusals.add(new Refusal(s.old(c), "<clinit>",
                        "the static state of this enum would have to be rebuilt for the new view (" + rerun.get(c) + "), but "
                        + w)));
            }
        }
        notes.removeIf(n -> n.contains(PREFIX) && rerun.keySet().stream().anyMatch(c -> n.startsWith(s.old(c) + " ")));
        if (copies.isEmpty() && rerun.isEmpty()) {
            return plans;
        }
        Map<String, Set<MethodModel>> readers = new LinkedHashMap<>();
        for (Map.Entry<String, Map<String, Segment>> c : copies.entrySet()) {
            for (String field : c.getValue().keySet()) {
                s.readers(c.getKey(), field, false, rerun.keySet(), readers);
            }
        }
        for (String c : rerun.keySet()) {
            for (String field : ViewInitializers.viewFields(newModels.get(c), oldModels.get(s.old(c)))) {
                s.readers(c, field, true, rerun.keySet(), readers);
            }
        }
        for (String c : twins.keySet()) {
            for (String field : EnumConstantStates.instanceFields(newModels.get(c))) {
                s.instanceReaders(c, field, rerun.keySet(), readers);
            }
        }
        for (Map.Entry<String, Set<MethodModel>> r : readers.entrySet()) {
            String owner = r.getKey();
            ClassDiff.Plan p = byNew.get(owner);
            ClassModel om = oldModels.get(newToOld.get(owner));
            if (p == null) {
                p = emptyPlan(om, newModels.get(owner));
            }
            List<MethodModel> replaced = new ArrayList<>(p.replaced());
            for (MethodModel m : r.getValue()) {
                boolean inOld = om.methods().stream().anyMatch(x -> x.methodName().equals(m.methodName())
                        && x.methodType().equals(m.methodType()));
                if (inOld && !replaced.contains(m) && !p.added().contains(m)) {
                    replaced.add(m);
                }
            }
            byNew.put(owner, p.with(replaced, p.viewStatics()));
        }
        for (Map.Entry<String, Map<String, Segment>> c : copies.entrySet()) {
            ClassDiff.Plan p = byNew.get(c.getKey());
            ClassModel om = oldModels.get(newToOld.get(c.getKey()));
            if (p == null) {
                p = emptyPlan(om, newModels.get(c.getKey()));
            }
            byNew.put(c.getKey(), p.with(p.replaced(), c.getValue()));
        }
        for (String c : rerun.keySet()) {
            if (!byNew.containsKey(c)) {
                byNew.put(c, emptyPlan(oldModels.get(newToOld.get(c)), newModels.get(c)));
            }
        }
        return new ArrayList<>(byNew.values());
    }

    static ClassDiff.Plan emptyPlan(ClassModel om, ClassModel nm) {
        return new ClassDiff.Plan(om.thisClass().asInternalName(), om, nm, List.of(), List.of(), List.of(), Map.of(),
                Map.of(), null, Map.of());
    }

    /**
     * Why the new view cannot run enum {@code m}'s new static initialiser with its running
     * constants kept ({@link EnumChanges}): a constant's construction is not found. (Constants
     * built by changed code get twins, {@link EnumConstantStates}, checked separately.)
     */
    private Optional<String> enumRefusal(ClassModel m, ClassModel old) {
        MethodModel clinit = ViewInitializers.clinit(m).orElseThrow();
        String owner = m.thisClass().asInternalName();
        for (String c : EnumChanges.names(m)) {
            Initializers.Cut cut = Initializers.cut(clinit, owner, Set.of(c), false);
            Segment seg = cut.failure() == null ? cut.segments().get(c) : null;
            if (seg == null || EnumChanges.ordinalIndex(seg, m).isEmpty()) {
                return Optional.of("the construction of constant " + c + " is not found in its static initialiser as 'new "
                        + owner + "; dup; ldc \"" + c + "\"; <ordinal>; ...' (another compiler's shape, or a constant with a "
                        + "body of its own): the running constants could not be kept; " + EnumChanges.REMEDY);
            }
        }
        if (!EnumChanges.added(old, m).isEmpty() && EnumChanges.valuesField(m).isEmpty()) {
            return Optional.of("it has no synthetic static array of its constants (javac's $VALUES), from which the "
                    + "added constants are published; " + EnumChanges.REMEDY);
        }
        return Optional.empty();
    }

    /** Class {@code c}'s new view runs its whole new static initialiser: every static it writes is copied. */
    private void rerun(String c, String why, Map<String, String> rerun, Map<String, Map<String, Segment>> copies) {
        if (rerun.putIfAbsent(c, why) != null) {
            return;
        }
        Map<String, Segment> single = copies.remove(c);
        if (single != null) {
            single.keySet().forEach(f -> copied.remove(c + "." + f));
        }
        ViewInitializers.viewFields(newModels.get(c), oldModels.get(old(c))).forEach(f -> copied.add(c + "." + f));
    }

    /** The first copied static field that {@code code} reads directly, if any. */
    private Optional<String> readsCopied(MethodModel code, String self) {
        for (CodeElement e : code.code().orElseThrow()) {
            if (e instanceof FieldInstruction f && f.opcode() == Opcode.GETSTATIC
                    && !f.owner().asInternalName().equals(self)
                    && copied.contains(f.owner().asInternalName() + "." + f.name().stringValue())) {
                return Optional.of(old(f.owner().asInternalName()).replace('/', '.') + "." + f.name().stringValue());
            }
        }
        return Optional.empty();
    }

    private static String key(String owner, MethodModel m) {
        return owner + "." + m.methodName().stringValue() + m.methodType().stringValue();
    }

    /** Finds the static fields of {@code c} whose initialiser reaches changed code. */
    private void classState(ClassModel c, Map<String, Map<String, Segment>> copies, Map<String, String> rerun) {
        String owner = c.thisClass().asInternalName();
        Optional<MethodModel> clinit = c.methods().stream().filter(m -> m.methodName().equalsString("<clinit>")).findFirst();
        if (clinit.isEmpty() || clinit.get().code().isEmpty()) {
            return;
        }
        Optional<String> reached = reaches(clinit.get().code().get().elementList(), owner);
        if (reached.isEmpty()) {
            return;
        }
        Map<String, Segment> mine = new LinkedHashMap<>();
        List<Instruction> ins = new ArrayList<>();
        clinit.get().code().get().elementList().forEach(e -> {
            if (e instanceof Instruction i) {
                ins.add(i);
            }
        });
        boolean[] covered = new boolean[ins.size()];
        String nonFinal = null;
        for (FieldModel f : c.fields()) {
            int flags = f.flags().flagsMask();
            String n = f.fieldName().stringValue();
            if ((flags & ClassFile.ACC_STATIC) == 0 || f.findAttribute(java.lang.classfile.Attributes.constantValue()).isPresent()) {
                continue;
            }
            Initializers.Cut cut = Initializers.cut(clinit.get(), owner, Set.of(n), false);
            Segment seg = cut.failure() == null ? cut.segments().get(n) : null;
            if (seg == null) {
                continue;
            }
            Optional<String> via = reaches(ins.subList(seg.valueStart(), seg.end()), owner);
            for (int i = seg.start(); i <= seg.end(); i++) {
                covered[i] = true;
            }
            if (via.isEmpty() || copied.contains(owner + "." + n)) {
                continue;
            }
            if ((flags & ClassFile.ACC_ENUM) != 0) {
                // the new view re-runs the enum's initialiser and builds the constant's state into a twin (EnumConstantStates)
                rerun(owner, "enum constant " + n + " is built by code the patch changes (" + via.get() + ")", rerun, copies);
                return;
            }
            if ((flags & ClassFile.ACC_FINAL) == 0) {
                nonFinal = "static field " + n + " is built by code the patch changes (" + via.get() + ") and is not final";
                continue;
            }
            mine.put(n, seg);
        }
        // the rest of the static initialiser must not reach changed code either
        List<Instruction> rest = new ArrayList<>();
        for (int i = 0; i < ins.size(); i++) {
            if (!covered[i]) {
                rest.add(ins.get(i));
            }
        }
        Optional<String> restVia = reaches(rest, owner);
        if (restVia.isPresent() || nonFinal != null) {
            rerun(owner, restVia.map(via -> "the static initialiser runs code the patch changes (" + via + ") outside "
                    + "the initialiser of a static final field").orElse(nonFinal), rerun, copies);
            return;
        }
        if (!mine.isEmpty()) {
            copies.computeIfAbsent(owner, k -> new LinkedHashMap<>()).putAll(mine);
            for (String n : mine.keySet()) {
                copied.add(owner + "." + n);
                notes.add(old(owner) + " " + n + ": static state built at class initialisation by code the patch changes; "
                        + "the new view reads its own copy (" + PREFIX + n + "), built once by the new release's "
                        + "initialiser on first use there; the old view keeps the running value");
            }
        }
    }

    private String old(String newName) {
        return newToOld.getOrDefault(newName, newName);
    }

    /** The first changed method reached from {@code code} (through calls into the new build), if any. */
    Optional<String> reaches(List<? extends CodeElement> code, String self) {
        Deque<List<? extends CodeElement>> work = new ArrayDeque<>();
        Set<String> seen = new HashSet<>();
        work.add(code);
        while (!work.isEmpty() && seen.size() < MAX_VISITED) {
            for (CodeElement e : work.poll()) {
                String owner;
                String name;
                String desc;
                if (e instanceof FieldInstruction f && f.opcode() == Opcode.GETSTATIC
                        && copied.contains(f.owner().asInternalName() + "." + f.name().stringValue())) {
                    return Optional.of(old(f.owner().asInternalName()).replace('/', '.') + "." + f.name().stringValue()
                            + ", whose new view reads its own copy");
                }
                if (e instanceof InvokeInstruction v) {
                    owner = v.owner().asInternalName();
                    name = v.name().stringValue();
                    desc = v.type().stringValue();
                } else if (e instanceof InvokeDynamicInstruction d && d.bootstrapArgs().size() >= 2
                        && d.bootstrapArgs().get(1) instanceof DirectMethodHandleDesc impl) {
                    owner = impl.owner().descriptorString().substring(1, impl.owner().descriptorString().length() - 1);
                    name = impl.methodName();
                    desc = impl.lookupDescriptor();
                } else {
                    continue;
                }
                Optional<MethodModel> target = declared(owner, name, desc);
                if (target.isEmpty()) {
                    continue;
                }
                String declaring = target.get().parent().orElseThrow().thisClass().asInternalName();
                String k = declaring + "." + name + desc;
                if (changed.contains(k)) {
                    return Optional.of(old(declaring).replace('/', '.') + "." + name + desc);
                }
                if (seen.add(k) && target.get().code().isPresent()) {
                    work.add(target.get().code().get().elementList());
                }
            }
        }
        return Optional.empty();
    }

    /** The method {@code owner.name desc} as declared in the new build (in owner or a superclass in the build). */
    private Optional<MethodModel> declared(String owner, String name, String desc) {
        for (String c = owner; c != null && newModels.containsKey(c); ) {
            ClassModel m = newModels.get(c);
            for (MethodModel mm : m.methods()) {
                if (mm.methodName().equalsString(name) && mm.methodType().equalsString(desc)) {
                    return Optional.of(mm);
                }
            }
            c = m.superclass().map(s -> s.asInternalName()).orElse(null);
        }
        return Optional.empty();
    }

    /**
     * Methods of the build that read (and, with {@code writes}, write) {@code owner.field};
     * refusals for readers a patch cannot replace. The static initialisers of {@code rerun}
     * classes are not readers: the new view runs their copies, which use the view's statics.
     */
    private void readers(String owner, String field, boolean writes, Set<String> rerun,
                         Map<String, Set<MethodModel>> readers) {
        for (ClassModel c : newModels.values()) {
            for (MethodModel m : c.methods()) {
                if (m.code().isPresent() && reads(m, owner, field, writes)) {
                    reader(owner, field, c, m, rerun, readers, true);
                }
            }
        }
    }

    /** Records {@code m} (of {@code c}) as a reader, or refuses it; a synthetic getter's callers read instead. */
    private void reader(String owner, String field, ClassModel c, MethodModel m, Set<String> rerun,
                        Map<String, Set<MethodModel>> readers, boolean followGetter) {
        String cn = c.thisClass().asInternalName();
        String mn = m.methodName().stringValue();
        int flags = m.flags().flagsMask();
        if (mn.equals("<clinit>") && (cn.equals(owner) || rerun.contains(cn))) {
            return;   // the class's own initialiser: the copy is built from the expression itself
        }
        if (!newToOld.containsKey(cn)) {
            return;   // an added class: all its code is new code, rewritten to read the copy
        }
        if (cn.equals(owner) && rerun.contains(cn) && EnumChanges.isValuesMethod(c, m)) {
            return;   // javac's $values() of an enum: only its static initialiser calls it, and the copy inlines it
        }
        if (followGetter && !ClassDiff.isLambdaBody(m) && FieldAccessors.staticGetter(m).isPresent()) {
            // a compiler's accessor (access$000): its callers' new code reads the field itself (CodeRewriter)
            for (ClassModel cc : newModels.values()) {
                for (MethodModel caller : cc.methods()) {
                    if (caller.code().isPresent() && FieldAccessors.calls(caller, cn, m)) {
                        reader(owner, field, cc, caller, rerun, readers, false);
                    }
                }
            }
            return;
        }
        if (ClassDiff.isLambdaBody(m) && isStaticField(owner, field)) {
            // a lambda body has no entry guard (synthetic); the methods that create the lambda are replaced instead,
            // and their new code links its lambdas to copies in the body class, which read the view's copy
            // (static state only: a lambda reading a twinned enum field stays refused)
            List<MethodModel> creators = creators(c, m);
            if (!creators.isEmpty() && creators.stream().noneMatch(x -> x == m)) {
                for (MethodModel creator : creators) {
                    reader(owner, field, c, creator, rerun, readers, false);
                }
                lambdaNote(owner, field, cn, m);
                return;
            }
        }
        String why = mn.equals("<clinit>") ? "the static initialiser of another class"
                : ClassDiff.isLambdaBody(m) ? "a lambda body that no method of its class creates"
                : (flags & (ClassFile.ACC_SYNTHETIC | ClassFile.ACC_BRIDGE)) != 0 ? "a synthetic method" : null;
        if (why == null && mn.equals("<init>")) {
            why = Constructors.unreplaceable(m, m, CanonicalCode.plain(), CanonicalCode.plain())
                    .map(reason -> "a constructor that cannot be replaced (" + reason + ")").orElse(null);
        }
        if (why != null) {
            refusals.add(new Refusal(old(owner), field, (isStaticField(owner, field) ? "static state"
                    : "enum constants' state (instance field " + field + ", which the new view reads from twins)")
                    + " built by changed code is read by "
                    + old(cn) + "." + mn + m.methodType().stringValue() + ", " + why + ", which a patch cannot "
                    + "make read the new view's copy; remedy: restart on the new release"));
            return;
        }
        readers.computeIfAbsent(cn, k -> new java.util.LinkedHashSet<>()).add(m);
    }

    /** The methods of {@code c} whose code creates a lambda (or method reference) with body {@code lambda}. */
    private static List<MethodModel> creators(ClassModel c, MethodModel lambda) {
        String cn = c.thisClass().asInternalName();
        List<MethodModel> out = new ArrayList<>();
        for (MethodModel x : c.methods()) {
            if (x.code().isEmpty()) {
                continue;
            }
            for (CodeElement e : x.code().get()) {
                if (e instanceof InvokeDynamicInstruction d && d.bootstrapArgs().stream().anyMatch(a ->
                        a instanceof DirectMethodHandleDesc h && h.owner().descriptorString().equals("L" + cn + ";")
                                && h.methodName().equals(lambda.methodName().stringValue())
                                && h.lookupDescriptor().equals(lambda.methodType().stringValue()))) {
                    out.add(x);
                    break;
                }
            }
        }
        return out;
    }

    private void lambdaNote(String owner, String field, String cn, MethodModel lambda) {
        String n = old(owner) + " " + field + ": read by the lambda body " + old(cn).replace('/', '.') + "."
                + lambda.methodName().stringValue() + ": the methods that create the lambda are replaced, so lambdas "
                + "created by the new view read the new view's copy; a lambda object created before the apply (or by the "
                + "old view) keeps running the loaded body, which reads the running value";
        if (!notes.contains(n)) {
            notes.add(n);
        }
    }

    /**
     * Methods of the build that read instance field {@code owner.field} of an enum whose running
     * constants have twins; refusals for readers a patch cannot replace. The enum's own
     * constructors are no readers: their receiver is an object under construction, never a
     * running constant.
     */
    private void instanceReaders(String owner, String field, Set<String> rerun, Map<String, Set<MethodModel>> readers) {
        for (ClassModel c : newModels.values()) {
            for (MethodModel m : c.methods()) {
                if (m.code().isEmpty() || m.methodName().equalsString("<init>") && c.thisClass().asInternalName().equals(owner)) {
                    continue;
                }
                for (CodeElement e : m.code().get()) {
                    if (e instanceof FieldInstruction f && f.opcode() == Opcode.GETFIELD && f.name().equalsString(field)
                            && f.owner().asInternalName().equals(owner)) {
                        reader(owner, field, c, m, rerun, readers, false);
                        break;
                    }
                }
            }
        }
    }

    private boolean isStaticField(String owner, String field) {
        ClassModel m = newModels.get(owner);
        return m == null || m.fields().stream().anyMatch(f -> f.fieldName().equalsString(field)
                && (f.flags().flagsMask() & ClassFile.ACC_STATIC) != 0);
    }

    private static boolean reads(MethodModel m, String owner, String field, boolean writes) {
        for (CodeElement e : m.code().get()) {
            if (e instanceof FieldInstruction f && (f.opcode() == Opcode.GETSTATIC || writes && f.opcode() == Opcode.PUTSTATIC)
                    && f.name().equalsString(field)
                    && f.owner().asInternalName().equals(owner)) {
                return true;
            }
        }
        return false;
    }
}
