package dev.atlas.patch.build;

import dev.atlas.patch.format.StaticStateSummary;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.CodeElement;
import java.lang.classfile.CodeTransform;
import java.lang.classfile.FieldModel;
import java.lang.classfile.Instruction;
import java.lang.classfile.MethodModel;
import java.lang.classfile.Opcode;
import java.lang.classfile.instruction.FieldInstruction;
import java.lang.classfile.instruction.LabelTarget;
import java.lang.classfile.instruction.LineNumber;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.MethodTypeDesc;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The static fields a patch adds to a class, initialised together as the new release's static
 * initialiser initialises them. A loaded class never runs its static initialiser again, and
 * a field the patch adds lives beside the class (a shadow field, valued on first use), so
 * without this each added field would be valued by its own initialiser on its own first read,
 * one at a time, in the order the code happens to read them: log4j-core 2.17.1 adds to
 * {@code JndiManager} four flags {@code JNDI_*_ENABLED = isJndiEnabled("...")} that read
 * system properties; read one by one at different times they may disagree with each other and
 * with any moment the new release's class initialisation could have seen.
 *
 * <p>For a class {@code C} whose new static initialiser sets added static fields by statements
 * of their own ({@code F = <expr>;}, {@link Initializers#cut}), the patch adds a holder class
 * {@code C$atlas$AddedStatics$$AtlasPatch$<id8>} with one plain static per such field, and to
 * {@code C} the static method {@value #METHOD}: those statements of the new {@code <clinit>},
 * in its order, storing into (and reading the earlier ones from) the holder. The holder's own
 * static initialiser calls it, and each such field's initialiser ({@code init$F}, which values
 * the field on its first read) reads the holder's copy. So the JVM's class-initialisation rules
 * run the statements as one unit, once, under the holder's initialisation lock, on the first
 * read of any of the fields in the new view. A class without a transfer hook of its own gets a
 * generated {@code atlas$transfer()} that reads one of them, so for a class loaded at the apply
 * that first read is the apply, in the new view: the closest the new view can come to the
 * class's initialisation, which the running release did before. A throwing statement then
 * refuses the apply (nothing changed); on a later first read it gives
 * {@code ExceptionInInitializerError}, then {@code NoClassDefFoundError} on every read, as the
 * new release would. What stays different from the new release, said in the build notes,
 * {@code inspect} and the {@code apply} reply: the moment. A value read from system properties,
 * the environment or other mutable state is that of the apply (or of the first read), not of the
 * class's initialisation. A read of such a field by a method that a statement calls, while the unit runs,
 * values that field from the holder as it is then (the field's default value if its own
 * statement has not run yet, where the new release's statement would overwrite it later).
 *
 * <p>Not grouped: classes whose new view runs the whole new static initialiser anyway
 * ({@link ViewInitializers}, which values added fields too), fields that replace a running field
 * of another type ({@link RetypedFields}), compile-time constants.
 *
 * <p>Stateless; thread-safe.
 */
final class AddedStatics {
    /** The added static method of {@code C} that values the added statics into the holder. */
    static final String METHOD = StaticStateSummary.ADDED_STATICS_INITIALIZER;
    /** Suffix of the holder class's new-build name. */
    static final String HOLDER_SUFFIX = StaticStateSummary.ADDED_STATICS_HOLDER;

    /**
     * @param plans  the plans, with {@value #METHOD} added to each class with grouped fields
     * @param holders added holder classes (new-build names)
     * @param fields {@code owner.field} (new-build names) to the holder class whose copy is the field's initial value
     */
    record Prepared(List<ClassDiff.Plan> plans, List<String> holders, Map<String, String> fields) {
    }

    private AddedStatics() {
    }

    /**
     * Groups the added statics of every plan not in {@code rerun}; {@code newModels} gets the
     * holders and the classes with their added method.
     */
    static Prepared prepare(List<ClassDiff.Plan> plans, Set<String> rerun, Map<String, ClassModel> newModels,
                            List<String> notes) {
        List<ClassDiff.Plan> out = new ArrayList<>();
        List<String> holders = new ArrayList<>();
        Map<String, String> fields = new LinkedHashMap<>();
        for (ClassDiff.Plan p : plans) {
            String c = p.newModel().thisClass().asInternalName();
            Optional<List<String>> grouped = rerun.contains(c) ? Optional.empty() : grouped(p);
            Optional<MethodModel> clinit = ViewInitializers.clinit(newModels.get(c));
            if (grouped.isEmpty() || clinit.isEmpty()) {
                out.add(p);
                continue;
            }
            List<String> names = grouped.get();
            Initializers.Cut cut = Initializers.cut(clinit.get(), c, new LinkedHashSet<>(names), false);
            if (cut.failure() != null || !cut.segments().keySet().containsAll(names)) {
                out.add(p);   // ClassDiff cut them one by one; together they do not cut: each keeps its own initialiser
                continue;
            }
            String holder = c + HOLDER_SUFFIX;
            MethodModel init = withInitializer(newModels.get(c), clinit.get(), holder, names, cut.segments(), newModels);
            newModels.put(holder, ClassFile.of().parse(holder(newModels.get(c), holder, names)));
            holders.add(holder);
            names.forEach(f -> fields.put(c + "." + f, holder));
            List<MethodModel> added = new ArrayList<>(p.added());
            added.add(init);
            MethodModel hook = p.transferHook();
            if (hook == null) {
                hook = withHook(newModels.get(c), holder, names.getFirst(), newModels);
                added.add(hook);
            }
            out.add(new ClassDiff.Plan(p.className(), p.oldModel(), p.newModel(), p.replaced(), added, p.newFields(),
                    p.initializers(), p.constantInitializers(), hook, p.viewStatics()));
            notes.add(note(p.className(), names, holder, hook != p.transferHook()));
        }
        return new Prepared(out, holders, fields);
    }

    /** The added static fields of {@code p} valued by statements of the static initialiser, in its order. */
    private static Optional<List<String>> grouped(ClassDiff.Plan p) {
        List<Map.Entry<String, Segment>> found = new ArrayList<>();
        for (FieldModel f : p.newFields()) {
            String n = f.fieldName().stringValue();
            Segment seg = p.initializers().get(n);
            if ((f.flags().flagsMask() & ClassFile.ACC_STATIC) != 0 && seg != null && !seg.instance()
                    && RetypedFields.running(p.oldModel(), f).isEmpty()) {
                found.add(Map.entry(n, seg));
            }
        }
        if (found.isEmpty()) {
            return Optional.empty();
        }
        found.sort(Comparator.comparingInt(e -> e.getValue().start()));
        return Optional.of(found.stream().map(Map.Entry::getKey).toList());
    }

    static String note(String className, List<String> names, String holder, boolean atApply) {
        return className + ": the static fields the new release adds (" + String.join(", ", names) + ") are valued together, "
                + "once, by their statements of the new release's static initialiser, in its order, "
                + (atApply ? "at the apply if the class is loaded then (a generated atlas$transfer() reads them in the new "
                + "view), else on the first read of any of them in the new view" : "on the first read of any of them in "
                + "the new view (the class has a transfer hook of its own)")
                + " (" + holder.substring(holder.lastIndexOf('/') + 1) + "), not at the class's "
                + "initialisation, which the running release did: a value they read from system properties, the "
                + "environment or other mutable state is that of that moment";
    }

    /**
     * Adds to {@code c} the generated transfer hook {@code static void atlas$transfer()}, which
     * runs once at the apply, in the new view, and only reads {@code field} of the holder: so the
     * added statics are valued then, the closest the new view can come to the class's
     * initialisation (which the running release did before the apply). Returns the hook.
     */
    private static MethodModel withHook(ClassModel c, String holder, String field, Map<String, ClassModel> newModels) {
        ClassDesc h = ClassDesc.ofInternalName(holder);
        ClassDesc type = c.fields().stream().filter(f -> f.fieldName().equalsString(field)).findFirst().orElseThrow()
                .fieldTypeSymbol();
        boolean isInterface = (c.flags().flagsMask() & ClassFile.ACC_INTERFACE) != 0;
        int flags = ClassFile.ACC_STATIC | ClassFile.ACC_SYNTHETIC | (isInterface ? ClassFile.ACC_PUBLIC : 0);
        byte[] bytes = ClassFile.of().transformClass(c, ClassTransform.endHandler(clb -> clb.withMethodBody("atlas$transfer",
                MethodTypeDesc.of(ConstantDescs.CD_void), flags, cb -> {
                    cb.getstatic(h, field, type);
                    if (java.lang.classfile.TypeKind.from(type).slotSize() == 2) {
                        cb.pop2();
                    } else {
                        cb.pop();
                    }
                    cb.return_();
                })));
        ClassModel with = ClassFile.of().parse(bytes);
        newModels.put(c.thisClass().asInternalName(), with);
        return with.methods().stream().filter(m -> m.methodName().equalsString("atlas$transfer")).findFirst().orElseThrow();
    }

    /**
     * The class with {@value #METHOD} added (the statements of {@code names} cut from {@code clinit},
     * in order, with the grouped fields read and written in {@code holder}, then each handed to the
     * field); returns that method.
     */
    private static MethodModel withInitializer(ClassModel c, MethodModel clinit, String holder, List<String> names,
                                               Map<String, Segment> segments, Map<String, ClassModel> newModels) {
        boolean isInterface = (c.flags().flagsMask() & ClassFile.ACC_INTERFACE) != 0;
        int flags = ClassFile.ACC_STATIC | ClassFile.ACC_SYNTHETIC | (isInterface ? ClassFile.ACC_PUBLIC : 0);
        String owner = c.thisClass().asInternalName();
        ClassDesc h = ClassDesc.ofInternalName(holder);
        Set<String> grouped = Set.copyOf(names);
        int size = clinit.code().orElseThrow().elementList().size();
        java.util.BitSet kept = new java.util.BitSet(size);
        for (Segment s : segments.values()) {
            kept.set(s.start(), s.end() + 1);
        }
        byte[] bytes = ClassFile.of().transformClass(c, ClassTransform.endHandler(clb -> clb.withMethod(METHOD,
                MethodTypeDesc.of(ConstantDescs.CD_void), flags, mb -> mb.transformCode(clinit.code().orElseThrow(),
                        CodeTransform.ofStateful(() -> new CodeTransform() {
                            private int index;

                            @Override
                            public void accept(CodeBuilder cb, CodeElement e) {
                                if (e instanceof Instruction) {
                                    int i = index++;
                                    if (!kept.get(i)) {
                                        return;
                                    }
                                    if (e instanceof FieldInstruction f && (f.opcode() == Opcode.GETSTATIC
                                            || f.opcode() == Opcode.PUTSTATIC) && f.owner().asInternalName().equals(owner)
                                            && grouped.contains(f.name().stringValue())) {
                                        cb.fieldAccess(f.opcode(), h, f.name().stringValue(), f.typeSymbol());
                                    } else {
                                        cb.with(e);
                                    }
                                } else if ((e instanceof LabelTarget || e instanceof LineNumber) && kept.get(index)) {
                                    cb.with(e);
                                }
                            }

                            @Override
                            public void atEnd(CodeBuilder cb) {
                                cb.return_();
                            }
                        })))));
        ClassModel with = ClassFile.of().parse(bytes);
        newModels.put(owner, with);
        return with.methods().stream().filter(m -> m.methodName().equalsString(METHOD)).findFirst().orElseThrow();
    }

    private static byte[] holder(ClassModel c, String name, List<String> names) {
        ClassDesc owner = c.thisClass().asSymbol();
        boolean isInterface = (c.flags().flagsMask() & ClassFile.ACC_INTERFACE) != 0;
        return ClassFile.of().build(ClassDesc.ofInternalName(name), clb -> {
            ViewInitializers.holderOf(clb, c, names::contains);
            clb.withMethodBody("<clinit>", MethodTypeDesc.of(ConstantDescs.CD_void), ClassFile.ACC_STATIC,
                    cb -> cb.invokestatic(owner, METHOD, MethodTypeDesc.of(ConstantDescs.CD_void), isInterface).return_());
        });
    }
}
