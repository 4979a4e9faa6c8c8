package dev.atlas.patch.build;

import dev.atlas.patch.format.StaticStateSummary;
import java.lang.classfile.Attributes;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeElement;
import java.lang.classfile.FieldModel;
import java.lang.classfile.MethodModel;
import java.lang.classfile.Opcode;
import java.lang.classfile.attribute.ConstantValueAttribute;
import java.lang.classfile.instruction.FieldInstruction;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.MethodTypeDesc;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The new view's own static state for a class whose changed static initialiser cannot be
 * split into single field initialisers (a static block that builds an object and then
 * configures it, tables filled in a loop, fields that are not final): the new view runs the
 * whole new static initialiser, once, into statics of its own.
 *
 * <p>For such a class {@code C} the patch adds a holder class
 * {@code C$atlas$ViewStatics$$AtlasPatch$<id8>} with one plain static field per static
 * field that the new initialiser writes ({@linkplain #viewFields the view fields}), and to
 * {@code C} the method {@code atlas$initializeView()}: a copy of the new {@code <clinit>}.
 * All new-build code of the patch reads and writes the view fields in the holder instead of
 * {@code C} (every method of the build that touches one is replaced for that reason), and
 * the holder's own static initialiser calls {@code atlas$initializeView()}. So the JVM runs
 * the new initialiser by its class-initialisation rules: lazily, on the first access by a
 * thread of the new view, exactly once, under the initialisation lock (a recursive access by
 * the initialising thread sees the partial state, as with the real class); if it throws,
 * the new view gets {@code NoClassDefFoundError}, as the new release would.
 *
 * <p>For example (what the builder generates, not code to call):
 * <pre>{@code
 * old:   static final StrTokenizer CSV = new StrTokenizer(); static { CSV.setDelimiter(','); }
 * new:   the same, with CSV.setQuote('"') added in the block
 * patch: class C$atlas$ViewStatics { static StrTokenizer CSV; static { C.atlas$initializeView(); } }
 *        every method reading C.CSV reads C$atlas$ViewStatics.CSV in the new view
 * }</pre>
 *
 * <p>Limits (each said in the build's notes): the old view keeps the running state and
 * rollback returns to it unchanged; a non-final view field is separate per view from then on
 * (a write in one view is not seen by the other); the initialiser reads resources (files
 * beside the classes) from the running release's jar, because a patch carries no resources:
 * resources of the class's package that the new release changed are named in the notes and
 * recorded in the holder ({@value #RESOURCES_FIELD}), so {@code atlas patch inspect} shows them.
 * An enum's initialiser creates its constants and is refused ({@link StaticState}).
 *
 * <p>Stateless; thread-safe.
 */
final class ViewInitializers {
    /** The added static method of {@code C} that runs the new static initialiser into the view's statics. */
    static final String METHOD = StaticStateSummary.INITIALIZER;
    /** Suffix of the holder class's new-build name. */
    static final String HOLDER_SUFFIX = "$atlas$ViewStatics";
    /** Constant field of the holder naming the changed resources the new initialiser reads from the old jar. */
    static final String RESOURCES_FIELD = StaticStateSummary.RESOURCES_FIELD;

    /**
     * @param plans   the plans, with {@code atlas$initializeView()} added to each rerun class
     * @param holders added holder classes (new-build names)
     * @param fields  {@code owner.field} (new-build names) to the holder class that keeps the new view's value
     */
    record Prepared(List<ClassDiff.Plan> plans, List<String> holders, Map<String, String> fields) {
    }

    private ViewInitializers() {
    }

    static Optional<MethodModel> clinit(ClassModel m) {
        return m.methods().stream().filter(x -> x.methodName().equalsString("<clinit>") && x.code().isPresent()).findFirst();
    }

    /**
     * The view fields of {@code c}, paired with {@code old} (or null): static fields its static
     * initialiser writes, except the constants of an enum that {@code old} has too, which the
     * new view shares with the old one ({@link EnumChanges}).
     */
    static Set<String> viewFields(ClassModel c, ClassModel old) {
        Set<String> out = viewFields(c);
        if (old != null && EnumChanges.isEnum(c)) {
            out.removeAll(EnumChanges.names(old));
        }
        return out;
    }

    /** Static fields of {@code c} (without a constant value) that its static initialiser writes. */
    static Set<String> viewFields(ClassModel c) {
        Set<String> out = new LinkedHashSet<>();
        Optional<MethodModel> ci = clinit(c);
        if (ci.isEmpty()) {
            return out;
        }
        String self = c.thisClass().asInternalName();
        Set<String> candidates = new LinkedHashSet<>();
        for (FieldModel f : c.fields()) {
            if ((f.flags().flagsMask() & ClassFile.ACC_STATIC) != 0 && f.findAttribute(Attributes.constantValue()).isEmpty()) {
                candidates.add(f.fieldName().stringValue());
            }
        }
        for (CodeElement e : ci.get().code().orElseThrow()) {
            if (e instanceof FieldInstruction f && f.opcode() == Opcode.PUTSTATIC && f.owner().asInternalName().equals(self)
                    && candidates.contains(f.name().stringValue())) {
                out.add(f.name().stringValue());
            }
        }
        return out;
    }

    /**
     * Adds the view initialiser and holder of every class in {@code rerun} (new-build name to
     * why its initialiser is re-run); {@code newModels} gets the holders and the classes with
     * their added method.
     *
     * @param changedResources resources the new build changes or adds (paths in the jar)
     */
    static Prepared prepare(List<ClassDiff.Plan> plans, Map<String, String> rerun, Map<String, List<String>> twins,
                            Map<String, ClassModel> newModels, Set<String> changedResources, List<String> notes) {
        List<ClassDiff.Plan> out = new ArrayList<>();
        List<String> holders = new ArrayList<>();
        Map<String, String> fields = new LinkedHashMap<>();
        for (ClassDiff.Plan p : plans) {
            String c = p.newModel().thisClass().asInternalName();
            if (!rerun.containsKey(c)) {
                out.add(p);
                continue;
            }
            Set<String> view = viewFields(p.newModel(), p.oldModel());
            List<String> twinned = twins.getOrDefault(c, List.of());
            MethodModel init = withInitializer(p.newModel(), p.oldModel(), twinned, newModels);
            MethodModel hook = p.transferHook();
            List<String> addedConstants = EnumChanges.added(p.oldModel(), p.newModel());
            String enumNote = null;
            if (!addedConstants.isEmpty()) {
                hook = withPublisher(newModels.get(c), newModels, true);
                enumNote = EnumChanges.note(p.oldModel(), p.newModel());
                notes.add(p.className() + ": " + enumNote);
            }
            if (!twinned.isEmpty()) {
                if (hook == null) {
                    hook = withPublisher(newModels.get(c), newModels, false);
                }
                String twinNote = EnumConstantStates.note(p.className(), twinned,
                        p.replaced().stream().map(m -> m.methodName().stringValue()).distinct().toList());
                notes.add(p.className() + ": " + twinNote);
                enumNote = enumNote == null ? twinNote : enumNote + "; " + twinNote;
                view.add(EnumConstantStates.FIELD);
            }
            init = newModels.get(c).methods().stream().filter(m -> m.methodName().equalsString(METHOD)).findFirst()
                    .orElseThrow();
            String holder = c + HOLDER_SUFFIX;
            String pkg = c.lastIndexOf('/') < 0 ? "" : c.substring(0, c.lastIndexOf('/') + 1);
            List<String> resources = changedResources.stream().filter(r -> r.startsWith(pkg)).toList();
            newModels.put(holder, ClassFile.of().parse(holder(newModels.get(c), holder, view, resources, enumNote)));
            holders.add(holder);
            view.forEach(f -> fields.put(c + "." + f, holder));
            List<MethodModel> added = new ArrayList<>(p.added());
            added.add(init);
            if (hook != null && hook != p.transferHook()) {
                added.add(hook);
            }
            List<FieldModel> newFields = p.newFields().stream().filter(f -> !view.contains(f.fieldName().stringValue())).toList();
            Map<String, Segment> inits = new LinkedHashMap<>(p.initializers());
            inits.keySet().removeAll(view);
            // javac's $values() of an enum: not patchable (synthetic); the view initialiser inlines it, nothing else calls it
            List<MethodModel> replaced = p.replaced().stream().filter(m -> !EnumChanges.isValuesMethod(p.newModel(), m)).toList();
            out.add(new ClassDiff.Plan(p.className(), p.oldModel(), p.newModel(), replaced, added, newFields, inits,
                    p.constantInitializers(), hook, Map.of()));
            Set<String> statics = new LinkedHashSet<>(view);
            statics.remove(EnumConstantStates.FIELD);
            notes.add(note(p, rerun.get(c), statics, resources));
        }
        return new Prepared(out, holders, fields);
    }

    private static String note(ClassDiff.Plan p, String why, Set<String> view, List<String> resources) {
        List<String> mutable = new ArrayList<>();
        for (FieldModel f : p.newModel().fields()) {
            if (view.contains(f.fieldName().stringValue()) && (f.flags().flagsMask() & ClassFile.ACC_FINAL) == 0) {
                mutable.add(f.fieldName().stringValue());
            }
        }
        StringBuilder sb = new StringBuilder(p.className()).append(" <clinit>: ").append(why)
                .append("; the new view runs the new release's whole static initialiser, once, on first use there, into "
                        + "its own statics (").append(String.join(", ", view)).append(", held by ")
                .append(p.newModel().thisClass().asInternalName()).append(HOLDER_SUFFIX)
                .append("); the old view keeps its state, and rollback returns to it unchanged");
        if (!mutable.isEmpty()) {
            sb.append("; not final, so separate per view from now on (a write in one view is not seen by the other): ")
                    .append(String.join(", ", mutable));
        }
        if (!resources.isEmpty()) {
            sb.append("; it reads resources from the running release's jar (a patch carries none), and the new release "
                    + "changes ").append(resources.size()).append(" in its package: ").append(StaticStateSummary.abbreviate(resources));
        }
        return sb.toString();
    }

    /**
     * The class with {@code atlas$initializeView()} (a copy of its static initialiser) added; returns that method.
     * For an enum ({@code old} paired), the copy leaves out the construction of every constant {@code old} has (the
     * new view shares the running constant) and gives each added constant its ordinal after the running ones.
     */
    private static MethodModel withInitializer(ClassModel c, ClassModel old, List<String> twins, Map<String, ClassModel> newModels) {
        MethodModel clinit = clinit(c).orElseThrow();
        boolean isInterface = (c.flags().flagsMask() & ClassFile.ACC_INTERFACE) != 0;
        int flags = ClassFile.ACC_STATIC | ClassFile.ACC_SYNTHETIC | (isInterface ? ClassFile.ACC_PUBLIC : 0);
        Map<Integer, Integer> ordinals = new java.util.HashMap<>();   // instruction index -> the added constant's ordinal
        java.util.BitSet dropped = new java.util.BitSet();             // instructions of running constants' constructions
        Map<Integer, Integer> twinStores = new java.util.HashMap<>();  // a twin's putstatic -> the running constant's ordinal
        String owner = c.thisClass().asInternalName();
        ClassDesc self = c.thisClass().asSymbol();
        if (old != null && EnumChanges.isEnum(c)) {
            Map<String, Integer> assigned = EnumChanges.ordinals(old, c);
            List<String> running = EnumChanges.names(old);
            for (String k : EnumChanges.names(c)) {
                Segment seg = Initializers.cut(clinit, owner, Set.of(k), false).segments().get(k);   // checked by StaticState
                if (assigned.containsKey(k)) {
                    ordinals.put(EnumChanges.ordinalIndex(seg, c).orElseThrow(), assigned.get(k));
                } else if (twins.contains(k)) {
                    // built again into a twin with the running constant's ordinal, stored at it (EnumConstantStates)
                    ordinals.put(EnumChanges.ordinalIndex(seg, c).orElseThrow(), running.indexOf(k));
                    twinStores.put(seg.end(), running.indexOf(k));
                } else {
                    dropped.set(seg.start(), seg.end() + 1);
                }
            }
        }
        int runningCount = old == null ? 0 : EnumChanges.names(old).size();
        MethodModel values = old == null || !EnumChanges.isEnum(c) ? null : c.methods().stream()
                .filter(m -> EnumChanges.isValuesMethod(c, m)).findFirst().orElse(null);
        ClassTransform addField = twinStores.isEmpty() ? ClassTransform.ACCEPT_ALL
                : ClassTransform.endHandler(clb -> clb.withField(EnumConstantStates.FIELD, EnumConstantStates.ARRAY,
                ClassFile.ACC_PRIVATE | ClassFile.ACC_STATIC | ClassFile.ACC_SYNTHETIC));
        byte[] bytes = ClassFile.of().transformClass(c, addField.andThen(ClassTransform.endHandler(clb -> clb.withMethod(METHOD,
                MethodTypeDesc.of(ConstantDescs.CD_void), flags, mb -> {
                    if (ordinals.isEmpty() && dropped.isEmpty() && values == null) {
                        mb.with(clinit.code().orElseThrow());
                        return;
                    }
                    mb.transformCode(clinit.code().orElseThrow(), java.lang.classfile.CodeTransform.ofStateful(() -> {
                        int[] index = {0};
                        return (cb, e) -> {
                            if (!(e instanceof java.lang.classfile.Instruction)) {
                                cb.with(e);
                                return;
                            }
                            int i = index[0]++;
                            if (i == 0 && !twinStores.isEmpty()) {
                                // the new view's twins of running constants, by the running ordinal
                                cb.loadConstant(runningCount).anewarray(ConstantDescs.CD_Object)
                                        .putstatic(self, EnumConstantStates.FIELD, EnumConstantStates.ARRAY);
                            }
                            if (twinStores.containsKey(i)) {
                                // 'putstatic X' of a twin: twins[ordinal] = twin (X stays the running constant)
                                cb.getstatic(self, EnumConstantStates.FIELD, EnumConstantStates.ARRAY).swap()
                                        .loadConstant(twinStores.get(i)).swap().aastore();
                                return;
                            }
                            if (values != null && e instanceof java.lang.classfile.instruction.InvokeInstruction v
                                    && v.opcode() == java.lang.classfile.Opcode.INVOKESTATIC
                                    && v.owner().asInternalName().equals(owner) && v.name().equalsString("$values")
                                    && v.typeSymbol().equals(values.methodTypeSymbol())) {
                                // javac's $values(): inlined, so that it reads the constants of the view (added ones: the holder's)
                                List<java.lang.classfile.Instruction> body = EnumChanges.instructions(values);
                                body.subList(0, body.size() - 1).forEach(cb::with);
                            } else if (ordinals.containsKey(i)) {
                                cb.loadConstant(ordinals.get(i));
                            } else if (!dropped.get(i)) {
                                cb.with(e);
                            }
                        };
                    }));
                }))));
        ClassModel with = ClassFile.of().parse(bytes);
        newModels.put(c.thisClass().asInternalName(), with);
        return with.methods().stream().filter(m -> m.methodName().equalsString(METHOD)).findFirst().orElseThrow();
    }

    /**
     * Adds to enum {@code c} the generated hook {@code static void atlas$transfer()}, which
     * runs at the apply in the new view: it reads the new view's array of constants (so the
     * holder's initialiser runs the new static initialiser there, creating the added constants)
     * and hands it to the agent ({@code EnumConstantViews.publish(Class, Object[])}), which
     * puts the added constants into the JDK's cache of the class. Returns the hook.
     */
    private static MethodModel withPublisher(ClassModel c, Map<String, ClassModel> newModels, boolean publish) {
        ClassDesc self = c.thisClass().asSymbol();
        byte[] bytes = ClassFile.of().transformClass(c, ClassTransform.endHandler(clb -> clb.withMethodBody(
                "atlas$transfer", MethodTypeDesc.of(ConstantDescs.CD_void), ClassFile.ACC_STATIC | ClassFile.ACC_SYNTHETIC,
                cb -> {
                    if (publish) {
                        FieldModel values = EnumChanges.valuesField(c).orElseThrow();   // checked by StaticState
                        cb.ldc(self).getstatic(self, values.fieldName().stringValue(), values.fieldTypeSymbol())
                                .invokestatic(EnumChanges.PUBLISHER, EnumChanges.PUBLISH, EnumChanges.PUBLISH_TYPE);
                    } else {
                        // only runs the new view's initialiser now, at the apply, so the twins exist before any read
                        cb.getstatic(self, EnumConstantStates.FIELD, EnumConstantStates.ARRAY).pop();
                    }
                    cb.return_();
                })));
        ClassModel with = ClassFile.of().parse(bytes);
        newModels.put(c.thisClass().asInternalName(), with);
        return with.methods().stream().filter(m -> m.methodName().equalsString("atlas$transfer")).findFirst().orElseThrow();
    }

    /**
     * Starts a holder class of {@code c}'s statics: public, final, synthetic, a subclass of
     * {@code Object} at {@code c}'s class-file version (8 at least), with a public static field of
     * the same name and type for each static of {@code c} that {@code copied} accepts.
     */
    static void holderOf(java.lang.classfile.ClassBuilder clb, ClassModel c, java.util.function.Predicate<String> copied) {
        clb.withVersion(Math.max(c.majorVersion(), ClassFile.JAVA_8_VERSION), 0);
        clb.withFlags(ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL | ClassFile.ACC_SUPER | ClassFile.ACC_SYNTHETIC);
        clb.withSuperclass(ConstantDescs.CD_Object);
        for (FieldModel f : c.fields()) {
            if (copied.test(f.fieldName().stringValue())) {
                clb.withField(f.fieldName().stringValue(), f.fieldTypeSymbol(), ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC);
            }
        }
    }

    private static byte[] holder(ClassModel c, String name, Set<String> view, List<String> resources, String enumNote) {
        ClassDesc owner = c.thisClass().asSymbol();
        boolean isInterface = (c.flags().flagsMask() & ClassFile.ACC_INTERFACE) != 0;
        return ClassFile.of().build(ClassDesc.ofInternalName(name), clb -> {
            holderOf(clb, c, view::contains);
            if (!resources.isEmpty()) {
                clb.withField(RESOURCES_FIELD, ConstantDescs.CD_String, fb -> fb
                        .withFlags(ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC | ClassFile.ACC_FINAL | ClassFile.ACC_SYNTHETIC)
                        .with(ConstantValueAttribute.of(String.join("\n", resources))));
            }
            if (enumNote != null) {
                clb.withField(StaticStateSummary.ENUM_CONSTANTS_FIELD, ConstantDescs.CD_String, fb -> fb
                        .withFlags(ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC | ClassFile.ACC_FINAL | ClassFile.ACC_SYNTHETIC)
                        .with(ConstantValueAttribute.of(enumNote)));
            }
            clb.withMethodBody("<clinit>", MethodTypeDesc.of(ConstantDescs.CD_void), ClassFile.ACC_STATIC,
                    cb -> cb.invokestatic(owner, METHOD, MethodTypeDesc.of(ConstantDescs.CD_void), isInterface).return_());
        });
    }
}
