package dev.atlas.patch.build;

import dev.atlas.patch.classfile.CanonicalCode;
import java.lang.classfile.Attributes;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.FieldModel;
import java.lang.classfile.MethodModel;
import java.lang.classfile.attribute.ConstantValueAttribute;
import java.lang.classfile.constantpool.ClassEntry;
import java.lang.classfile.instruction.InvokeDynamicInstruction;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDesc;
import java.lang.constant.DirectMethodHandleDesc;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * Compares one class of the old build with its counterpart in the new build and decides
 * what the patch does with it: replaced and added methods, new fields and their
 * initialisers, the state-transfer hook; or the refusals.
 *
 * <p>Implementation notes: methods are compared by canonical code in which lambda call
 * sites are replaced by the canonical code of the lambda body (so renumbered lambdas
 * compare equal and a changed lambda changes its enclosing method) and new-build names
 * of matched anonymous classes are mapped to their old names. Lambda bodies themselves
 * are never patched in place: new code gets copies. Single use, single-threaded.
 *
 * <p>Size: a little over 500 lines, the per-member decisions in the order of the class file;
 * the cases that give a member beside the running one live in their own classes
 * ({@link RetypedFields}, {@link MethodKindChange}, {@link SynchronizedBody},
 * {@link InterfaceBridges}, {@link ModifierChange}).
 */
final class ClassDiff {
    private static final ClassDesc LMF = ClassDesc.of("java.lang.invoke.LambdaMetafactory");
    private static final int MEMBER_FLAGS = ClassFile.ACC_PUBLIC | ClassFile.ACC_PRIVATE | ClassFile.ACC_PROTECTED
            | ClassFile.ACC_STATIC | ClassFile.ACC_FINAL | ClassFile.ACC_SYNCHRONIZED | ClassFile.ACC_VOLATILE
            | ClassFile.ACC_TRANSIENT | ClassFile.ACC_NATIVE | ClassFile.ACC_ABSTRACT | ClassFile.ACC_STRICT;
    private static final String NATIVE_REFUSAL = "new native method: its code is in a native library the running "
            + "JVM has not bound to the class, and a loaded class gets no method; remedy: restart on the new release";

    /** What the patch does with one class. */
    record Plan(String className, ClassModel oldModel, ClassModel newModel, List<MethodModel> replaced,
                List<MethodModel> added, List<FieldModel> newFields, Map<String, Segment> initializers,
                Map<String, ConstantDesc> constantInitializers, MethodModel transferHook,
                Map<String, Segment> viewStatics) {
        boolean isEmpty() {
            return replaced.isEmpty() && added.isEmpty() && newFields.isEmpty() && transferHook == null
                    && viewStatics.isEmpty() && WidenedAccess.members(oldModel, newModel).isEmpty();
        }

        /** This plan with other replaced methods and view copies of static fields ({@link StaticState}). */
        Plan with(List<MethodModel> replacedMethods, Map<String, Segment> copies) {
            return new Plan(className, oldModel, newModel, replacedMethods, added, newFields, initializers,
                    constantInitializers, transferHook, copies);
        }
    }

    private final ClassModel oldModel;
    private final ClassModel newModel;
    private final String name;
    private final Hierarchy newBuild;
    private final UnaryOperator<String> newToOld;
    private final List<Refusal> refusals;
    private final List<String> notes;
    private final Map<String, Segment> viewCopies = new LinkedHashMap<>();
    private final List<String> reported = new ArrayList<>();

    ClassDiff(ClassModel oldModel, ClassModel newModel, Hierarchy newBuild, UnaryOperator<String> newToOld,
              List<Refusal> refusals, List<String> notes) {
        this.oldModel = oldModel;
        this.newModel = newModel;
        this.name = oldModel.thisClass().asInternalName();
        this.newBuild = newBuild;
        this.newToOld = newToOld;
        this.refusals = refusals;
        this.notes = notes;
    }

    static boolean isLambdaBody(MethodModel m) {
        return (m.flags().flagsMask() & ClassFile.ACC_SYNTHETIC) != 0 && m.methodName().stringValue().startsWith("lambda$");
    }

    static boolean isStatic(MethodModel m) {
        return (m.flags().flagsMask() & ClassFile.ACC_STATIC) != 0;
    }

    private void refuse(String member, String reason) {
        refusals.add(new Refusal(name, member, reason));
    }

    private static String key(MethodModel m) {
        return m.methodName().stringValue() + m.methodType().stringValue();
    }

    /**
     * Shape changes that make the class impossible to patch: superclass and interfaces (its
     * modifiers are {@link ClassModifiers}'s).
     */
    static Optional<String> shapeChange(ClassModel o, ClassModel n, UnaryOperator<String> newToOld) {
        String os = o.superclass().map(ClassEntry::asInternalName).orElse("-");
        String ns = n.superclass().map(e -> newToOld.apply(e.asInternalName())).orElse("-");
        if (!os.equals(ns)) {
            return Optional.of("superclass changed from " + os + " to " + ns);
        }
        List<String> oi = o.interfaces().stream().map(ClassEntry::asInternalName).toList();
        List<String> ni = n.interfaces().stream().map(e -> newToOld.apply(e.asInternalName())).toList();
        if (!oi.equals(ni)) {
            return Optional.of("interfaces changed from " + oi + " to " + ni);
        }
        return Optional.empty();
    }

    /** The class's own modifiers: reported, not applied, or refused ({@link ClassModifiers}). */
    private void classModifiers() {
        ClassModifiers.Outcome o = ClassModifiers.of(newBuild, oldModel, newModel);
        o.refusals().forEach(r -> refuse("", r));
        if (o.report() != null) {
            report(o.report());
        }
    }

    /** A change reported, not applied: in the notes and in the patch ({@code Patch.unappliedChanges}). */
    private void report(String text) {
        notes.add(text);
        reported.add(text);
    }

    /** The changes this class reports, not applied (after {@link #analyse}). */
    List<String> reported() {
        return List.copyOf(reported);
    }

    /** The plan, or empty if refused (the reasons went to the refusal list). */
    Optional<Plan> analyse() {
        int before = refusals.size();
        shapeChange(oldModel, newModel, newToOld).ifPresent(r -> refuse("", r));
        classModifiers();
        Optional<String> enumConstants = EnumChanges.constants(oldModel, newModel);
        enumConstants.ifPresent(r -> refuse("", r));
        List<FieldModel> newFields = fields(before);
        List<MethodModel> replaced = new ArrayList<>();
        List<MethodModel> added = new ArrayList<>();
        methods(replaced, added);
        Map<String, Segment> inits = new LinkedHashMap<>();
        Map<String, ConstantDesc> constants = new LinkedHashMap<>();
        constructors(newFields, inits, replaced);
        // constants removed or reordered: their initialisers differ too (ordinals), which that refusal already covers
        MethodModel hook = enumConstants.isPresent() ? null : staticInitializer(newFields, inits, constants, replaced, added);
        if (!viewCopies.isEmpty()) {
            // a retyped static that the new view copies anyway (its initialiser changed): the copy has the new type
            newFields = newFields.stream().filter(f -> !viewCopies.containsKey(f.fieldName().stringValue())).toList();
            viewCopies.keySet().forEach(inits::remove);
        }
        refusals.addAll(AnnotationChanges.changed(oldModel, newModel, name));
        if (refusals.size() > before) {
            return Optional.empty();
        }
        annotationNote();
        return Optional.of(new Plan(name, oldModel, newModel, replaced, added, newFields, inits, constants, hook, viewCopies));
    }

    private List<FieldModel> fields(int before) {
        List<FieldModel> retyped = new ArrayList<>();
        Map<String, FieldModel> newByName = new LinkedHashMap<>();
        newModel.fields().forEach(f -> newByName.put(f.fieldName().stringValue(), f));
        for (FieldModel of : oldModel.fields()) {
            String n = of.fieldName().stringValue();
            FieldModel nf = newByName.remove(n);
            if (nf == null) {
                notes.add(name + " " + n + ": field removed in the new build; kept in the running class for code outside "
                        + "the patch, which the new code no longer maintains");
            } else if (!of.fieldType().stringValue().equals(mapDesc(nf.fieldTypeSymbol()))) {
                RetypedFields.check(newBuild, name, of, nf).ifPresentOrElse(r -> refuse(n, r), () -> {
                    if (!RetypedFields.isInlinedConstant(nf)) {
                        retyped.add(nf);
                    }
                    notes.add(RetypedFields.note(name, of, nf));
                });
            } else if ((of.flags().flagsMask() & ClassFile.ACC_STATIC) != (nf.flags().flagsMask() & ClassFile.ACC_STATIC)) {
                refuse(n, "field changed between static and instance: the running field keeps its kind; remedy: restart on the new release");
            } else if ((of.flags().flagsMask() & MEMBER_FLAGS) != (nf.flags().flagsMask() & MEMBER_FLAGS)) {
                modifiers(n, of.flags().flagsMask() & MEMBER_FLAGS, nf.flags().flagsMask() & MEMBER_FLAGS, true,
                        (of.flags().flagsMask() & ClassFile.ACC_STATIC) == 0);
            }
        }
        List<FieldModel> added = new ArrayList<>(newByName.values());
        added.addAll(retyped);   // the new view's field of the new type, beside the running one (RetypedFields)
        return List.copyOf(added);
    }

    private String mapDesc(ClassDesc d) {
        return CanonicalCode.of(newToOld, i -> null).desc(d);
    }

    private void methods(List<MethodModel> replaced, List<MethodModel> added) {
        Map<String, MethodModel> newByKey = new LinkedHashMap<>();
        newModel.methods().stream().filter(m -> !isLambdaBody(m)).forEach(m -> newByKey.put(key(m), m));
        boolean isInterface = (newModel.flags().flagsMask() & ClassFile.ACC_INTERFACE) != 0;
        for (MethodModel om : oldModel.methods()) {
            if (isLambdaBody(om)) {
                continue;
            }
            String k = key(om);
            MethodModel nm = newByKey.remove(k);
            int of = om.flags().flagsMask() & MEMBER_FLAGS;
            if (nm == null) {
                if ((of & ClassFile.ACC_PRIVATE) != 0) {
                    if (PatchBuilder.isReferenced(newBuild, name, om)) {
                        refuse(k, "method removed but still referenced by the new build");
                    } else {
                        notes.add(name + " " + k + ": private method removed; it stays in the running class, unused by new code");
                    }
                } else {
                    removedMethod(om, k, replaced);
                }
                continue;
            }
            int nf = nm.flags().flagsMask() & MEMBER_FLAGS;
            boolean unlocked = (of & ClassFile.ACC_SYNCHRONIZED) != 0 && (nf & ClassFile.ACC_SYNCHRONIZED) == 0
                    && ((of ^ nf) & ClassFile.ACC_STATIC) == 0;
            if (unlocked) {
                // the running method keeps its monitor (RemovedSynchronized): accepted, with a note, or refused here
                RemovedSynchronized.Verdict v = RemovedSynchronized.check(newBuild, name, om, nm);
                if (v.refusal() != null) {
                    refuse(k, "method no longer synchronized: the running method takes the lock before its entry guard "
                            + "dispatches to any view's body, so calls in the new view would still hold "
                            + RemovedSynchronized.monitor(name, nm) + ", and " + v.refusal() + "; remedy: restart on the "
                            + "new release");
                    continue;
                }
                notes.add(name + " " + k + ": " + RemovedSynchronized.note(name, nm, v.sharedCalls()));
                nf |= ClassFile.ACC_SYNCHRONIZED;   // the other modifier checks, as if it were kept
            }
            if (of != nf && (((of ^ nf) & ClassFile.ACC_STATIC) != 0
                    || !modifiers(k, of, nf, false, (of & ClassFile.ACC_STATIC) == 0))) {
                if (((of ^ nf) & ClassFile.ACC_STATIC) != 0) {
                    kindChanged(om, nm, k, added);
                }
                continue;
            }
            String mn = om.methodName().stringValue();
            if (mn.equals("<init>") || mn.equals("<clinit>") || om.code().isEmpty() || nm.code().isEmpty()) {
                // constructors and the static initialiser are compared with the initialisers cut out; a method
                // that gains or loses 'abstract' keeps its running code (AbstractMethodChange)
                continue;
            }
            if (!text(oldModel, om, UnaryOperator.identity()).equals(text(newModel, nm, newToOld))
                    || SynchronizedBody.needsLock(oldModel, nm) || unlocked) {
                replaced.add(nm);
            }
        }
        for (MethodModel nm : newByKey.values()) {
            String k = key(nm);
            int f = nm.flags().flagsMask();
            String mn = nm.methodName().stringValue();
            if (mn.equals("<clinit>")) {
                continue;
            }
            if (mn.equals("<init>")) {
                Optional<String> why = Constructors.unaddable(nm);
                if (why.isPresent()) {
                    refuse(k, why.get());
                } else {
                    added.add(nm);   // runs through the re-routing guards of the class's constructors (Constructors)
                }
            } else if (isInterface && (f & (ClassFile.ACC_STATIC | ClassFile.ACC_PRIVATE)) == 0) {
                newInterfaceMethod(nm, k, added);
            } else if ((f & ClassFile.ACC_NATIVE) != 0) {
                refuse(k, NATIVE_REFUSAL);
            } else if ((f & (ClassFile.ACC_PRIVATE | ClassFile.ACC_STATIC)) == 0
                    && newBuild.missingSupertype(newModel.thisClass().asInternalName()).isPresent()) {
                refuse(k, "cannot check whether the new method overrides an inherited one: class "
                        + newBuild.missingSupertype(newModel.thisClass().asInternalName()).get()
                        + " is in neither build nor the classpath; remedy: pass the libraries with --classpath "
                        + "(BuildOptions.withClasspath)");
            } else if ((f & (ClassFile.ACC_PRIVATE | ClassFile.ACC_STATIC)) == 0
                    && newBuild.inherited(newModel, mn, nm.methodType().stringValue()).isPresent()) {
                if ((f & ClassFile.ACC_ABSTRACT) != 0) {
                    refuse(k, "new abstract method that re-declares the inherited "
                            + newBuild.inherited(newModel, mn, nm.methodType().stringValue()).get().declaringClass()
                                    .replace('/', '.') + "." + mn + ": the loaded class inherits that method, and the "
                            + "patch has no dispatch of its own for it (only a method the class did not have is added "
                            + "beside it); remedy: restart on the new release");
                } else {
                    newOverride(nm, k, added);
                }
            } else if ((f & ClassFile.ACC_ABSTRACT) != 0) {
                added.add(AbstractMethodBody.of(newModel, nm));
                notes.add(name + " " + k + ": new abstract method; added beside the loaded class with a body that throws "
                        + "AbstractMethodError: calls of it in the patch's code and in classes loaded after the apply run the "
                        + "receiver class's implementation in the calling thread's view (the new release's subclasses add "
                        + "theirs); an object of a class without one (outside the patch, compiled against the old release) "
                        + "gets AbstractMethodError naming its class, as on the new release; reflection on the class does "
                        + "not show the method");
            } else {
                added.add(nm);
            }
        }
        for (MethodModel nm : added) {
            if (SynchronizedBody.needsLock(oldModel, nm)) {
                notes.add(name + " " + key(nm) + ": new synchronized method; its body takes the lock ("
                        + (isStatic(nm) ? "the class object" : "the receiver") + ") itself, as the new release's method does");
            }
        }
    }

    /**
     * A new non-static, non-private interface method: added beside the loaded interface (calls
     * of it select on the receiver's class in the agent, {@code InterfaceDispatch}); an abstract
     * one gets a body that names a receiver without an implementation ({@link AbstractMethodBody});
     * a bridge no implementation needs is reported, not added ({@link InterfaceBridges}).
     */
    private void newInterfaceMethod(MethodModel nm, String k, List<MethodModel> added) {
        int f = nm.flags().flagsMask();
        if ((f & ClassFile.ACC_NATIVE) != 0) {
            refuse(k, NATIVE_REFUSAL);
        } else if (InterfaceBridges.isBridge(nm)
                && InterfaceBridges.reachedThroughInterface(newBuild, newModel.thisClass().asInternalName(), nm).isEmpty()) {
            notes.add(name + " " + k + ": new bridge method of the interface; not added (a loaded interface gets no method), "
                    + "and not needed: every implementing class of the new build has it in its class chain, which the JVM "
                    + "selects before an interface's method");
        } else if ((f & ClassFile.ACC_ABSTRACT) != 0) {
            added.add(AbstractMethodBody.of(newModel, nm));
            notes.add(name + " " + k + ": new abstract interface method; added beside the loaded interface: calls of it in the "
                    + "patch's code and in classes loaded after the apply run the receiver class's implementation in the "
                    + "calling thread's view; a loaded implementation without one is refused at apply, one loaded later "
                    + "throws AbstractMethodError naming it; reflection on the interface does not show the method");
        } else {
            added.add(nm);
            notes.add(name + " " + k + ": new " + (InterfaceBridges.isBridge(nm) ? "bridge" : "default") + " method of the "
                    + "interface; added beside the loaded interface: calls of it in the patch's code and in classes loaded "
                    + "after the apply run the receiver class's own method if it has one, else this body, in the calling "
                    + "thread's view; reflection on the interface does not show the method");
        }
    }

    /** A method changed between static and instance: added beside the running one, or refused ({@link MethodKindChange}). */
    private void kindChanged(MethodModel om, MethodModel nm, String k, List<MethodModel> added) {
        Optional<String> refusal = MethodKindChange.refusal(newBuild, newModel, om, nm);
        if (refusal.isPresent()) {
            refuse(k, refusal.get());
            return;
        }
        added.add(nm);
        notes.add(MethodKindChange.note(name, k, oldModel, om, nm));
    }

    /** The name under which the patch adds {@code m} to the loaded class ({@link MethodKindChange#addedName}). */
    static String addedName(ClassModel oldModel, MethodModel m) {
        return MethodKindChange.addedName(oldModel, m);
    }

    /**
     * A new method overriding an inherited one: added when what the loaded class inherits is
     * declared in the build (the agent instruments it, and its entry guard dispatches to the
     * new override in the new view: {@code OverrideDispatch}), or is a JDK or library method
     * with a body (the agent gives it an entry guard at apply, retransforming its class:
     * {@code RetransformingMethodGuards}); refused when it is native (no body to guard) or
     * cannot be found.
     */
    private void newOverride(MethodModel nm, String k, List<MethodModel> added) {
        String mn = nm.methodName().stringValue();
        String desc = nm.methodType().stringValue();
        Optional<Hierarchy.Member> inherited = newModel.superclass()
                .flatMap(s -> newBuild.resolveMethod(s.asInternalName(), mn, desc))
                .or(() -> newBuild.inherited(newModel, mn, desc));
        String declaring = inherited.map(Hierarchy.Member::declaringClass).orElse("?");
        String shown = declaring.replace('/', '.');
        if (newBuild.inBuild(declaring) || inherited.filter(m -> (m.flags() & ClassFile.ACC_ABSTRACT) != 0).isPresent()) {
            added.add(nm);
            notes.add(name + " " + k + ": new override of " + shown + "." + mn + "; in the new view "
                    + "calls of it on " + name.replace('/', '.') + " objects run the new method (the agent must instrument "
                    + shown + ")");
        } else if (inherited.isEmpty()) {
            refuse(k, "new method overrides an inherited " + mn + desc + " that is in neither the build nor the classpath, "
                    + "so where its calls land cannot be checked; remedy: pass the libraries with --classpath");
        } else if ((inherited.get().flags() & ClassFile.ACC_NATIVE) != 0) {
            refuse(k, "new method overrides " + declaring + "." + mn + ", a native method (no body the agent could give an "
                    + "entry guard): calls of it on the loaded class cannot reach the new method; remedy: restart on the "
                    + "new release");
        } else {
            added.add(nm);
            notes.add(name + " " + k + ": new override of " + shown + "." + mn + ", which is outside the build (a JDK or "
                    + "library method): at apply the agent gives it an entry guard (retransforming " + shown + ", once), "
                    + "so that in the new view its calls on " + name.replace('/', '.') + " objects, from any code, run the "
                    + "new method; apply refuses the patch, changing nothing, if " + shown + " cannot be retransformed");
        }
    }

    /** Reports a patchable modifier change (true) or refuses it (false). */
    private boolean modifiers(String member, int oldFlags, int newFlags, boolean field, boolean instance) {
        boolean extended = newBuild.extendedInBuild(newModel.thisClass().asInternalName());
        int abstractChange = field ? 0 : (oldFlags ^ newFlags) & ClassFile.ACC_ABSTRACT;
        Optional<String> refusal = ModifierChange.refusal(oldFlags & ~abstractChange, newFlags & ~abstractChange, field,
                        instance, extended)
                .or(() -> field ? ModifierChange.transientRefusal(newBuild, newModel, oldFlags, newFlags)
                        : WidenedAccess.refusal(newBuild, newModel, member.substring(0, member.indexOf('(')),
                                member.substring(member.indexOf('(')), oldFlags, newFlags))
                .or(() -> field || (oldFlags & ClassFile.ACC_FINAL) == 0 || (newFlags & ClassFile.ACC_FINAL) != 0 ? Optional.empty()
                        : ModifierChange.overriddenInBuild(newBuild, newModel, member.substring(0, member.indexOf('(')),
                                member.substring(member.indexOf('('))))
                .or(() -> (newFlags & abstractChange) != 0 ? AbstractMethodChange.gainedAbstract(newModel) : Optional.empty());
        if (refusal.isPresent()) {
            refuse(member, (field ? "field " : "method ") + refusal.get());
            return false;
        }
        if (abstractChange != 0 && (newFlags & ClassFile.ACC_ABSTRACT) == 0) {
            // checked and reported across the builds (PatchBuilder: AbstractMethodChange.lostAbstract)
            return (oldFlags & ~ClassFile.ACC_ABSTRACT) == newFlags || modifiers(member, oldFlags & ~ClassFile.ACC_ABSTRACT,
                    newFlags, false, instance);
        }
        if (abstractChange != 0) {
            report(AbstractMethodChange.gainedAbstractNote(name, member)
                    + ((oldFlags | ClassFile.ACC_ABSTRACT) == newFlags ? ""
                            : "; also " + ModifierChange.describe(oldFlags, newFlags & ~ClassFile.ACC_ABSTRACT, false)));
            return true;
        }
        report(name + " " + member + ": " + (field ? "field" : "method") + " modifiers changed ("
                + ModifierChange.describe(oldFlags, newFlags, field) + "); reported, not applied (the running member keeps its own)"
                + (!field && (newFlags & ~oldFlags & ClassFile.ACC_SYNCHRONIZED) != 0
                        ? "; the new view's body takes the lock itself, as the new release's method does" : "")
                + (field && ((oldFlags ^ newFlags) & ClassFile.ACC_TRANSIENT) != 0 ? "; " + ModifierChange.TRANSIENT_NOTE : "")
                + (ModifierChange.rank(newFlags) > ModifierChange.rank(oldFlags) ? "; " + WidenedAccess.note(oldFlags, newFlags) : ""));
        return true;
    }

    /**
     * A non-private method the new build no longer has: it stays in the running class for the
     * callers outside the build (reported); one that overrides a method inherited from a
     * superclass gets a replaced body that calls the inherited method ({@link SuperCallBody}), so
     * that the new view dispatches as the new release does.
     */
    private void removedMethod(MethodModel om, String k, List<MethodModel> replaced) {
        String mn = om.methodName().stringValue();
        boolean virtual = (om.flags().flagsMask() & ClassFile.ACC_STATIC) == 0 && !mn.equals("<init>");
        String self = newModel.thisClass().asInternalName();
        if (virtual && newBuild.missingSupertype(self).isPresent()) {
            refuse(k, "method removed, and whether it overrides an inherited one cannot be checked: class "
                    + newBuild.missingSupertype(self).get() + " is in neither build nor the classpath; remedy: "
                    + "pass the libraries with --classpath");
        } else if (virtual && InterfaceBridges.isBridge(om) && newBuild.inherited(newModel, mn, om.methodType().stringValue())
                .filter(m -> (m.flags() & ClassFile.ACC_BRIDGE) != 0).isPresent()) {
            notes.add(name + " " + k + ": bridge method removed in the new build, which inherits a bridge of the same signature "
                    + "instead; kept in the running class (bridges are not patchable), where it forwards to the class's own method "
                    + "as the inherited bridge would");
        } else if (virtual && newBuild.inherited(newModel, mn, om.methodType().stringValue()).isPresent()) {
            Optional<String> superclass = newModel.superclass().map(ClassEntry::asInternalName);
            Optional<Hierarchy.Member> target = superclass.flatMap(s -> newBuild.resolveMethod(s, mn, om.methodType().stringValue()));
            boolean inClass = target.flatMap(t -> newBuild.model(t.declaringClass()))
                    .map(c -> (c.flags().flagsMask() & ClassFile.ACC_INTERFACE) == 0).orElse(false);
            Optional<ClassEntry> viaInterface = target.isPresent() ? Optional.empty()
                    : defaultOfDirectInterface(mn, om.methodType().stringValue());
            if (om.code().isPresent() && (target.isPresent() || viaInterface.isPresent())
                    && (viaInterface.isPresent() || (target.get().flags() & ClassFile.ACC_ABSTRACT) == 0)) {
                // the running class keeps the method; in the new view its body is the inherited one
                replaced.add(SuperCallBody.of(newModel, om, viaInterface.map(ClassEntry::asSymbol).orElse(null)));
                String from = viaInterface.map(i -> newBuild.resolveMethod(i.asInternalName(), mn, om.methodType().stringValue())
                        .orElseThrow().declaringClass()).orElse(target.map(Hierarchy.Member::declaringClass).orElse("?"));
                notes.add(name + " " + k + ": overriding method removed; in the new view it runs the inherited "
                        + (inClass ? "" : "default method ") + from.replace('/', '.') + "." + mn + " (super call)");
            } else {
                refuse(k, "overriding method removed, and what the new release inherits instead is "
                        + (target.isEmpty() ? "not found" : "abstract")
                        + "; remedy: restart on the new release");
            }
        } else if (mn.equals("<init>") && newBuild.extendedInBuild(self)) {
            refuse(k, "constructor removed while the new build extends the class; remedy: restart on the new release");
        } else {
            notes.add(name + " " + k + ": " + (mn.equals("<init>") ? "constructor" : "method")
                    + " removed in the new build; kept in the running class for callers outside the patch, unused by new code");
        }
    }

    /** The direct superinterface through which the class inherits a default {@code mn desc}, if any. */
    private Optional<ClassEntry> defaultOfDirectInterface(String mn, String desc) {
        for (ClassEntry i : newModel.interfaces()) {
            Optional<Hierarchy.Member> m = newBuild.resolveMethod(i.asInternalName(), mn, desc);
            if (m.isPresent() && (m.get().flags() & (ClassFile.ACC_ABSTRACT | ClassFile.ACC_STATIC | ClassFile.ACC_PRIVATE)) == 0) {
                return Optional.of(i);
            }
        }
        return Optional.empty();
    }

    private Optional<MethodModel> method(ClassModel m, String n, String desc) {
        return m.methods().stream().filter(x -> x.methodName().equalsString(n) && x.methodType().equalsString(desc)).findFirst();
    }

    /**
     * Constructors: unchanged ones (new-field initialisers cut out) give the initialisers of
     * new fields; changed ones are replaced from their {@code super(..)}/{@code this(..)} call
     * on (the agent's guard sits right after that call), provided the code up to it is the same.
     */
    private void constructors(List<FieldModel> newFields, Map<String, Segment> inits, List<MethodModel> replaced) {
        Set<String> instanceFields = newFields.stream().filter(f -> (f.flags().flagsMask() & ClassFile.ACC_STATIC) == 0)
                .map(f -> f.fieldName().stringValue()).collect(Collectors.toSet());
        CanonicalCode newCanon = canon(newModel, newToOld);
        CanonicalCode oldCanon = canon(oldModel, UnaryOperator.identity());
        Map<String, List<String>> initTexts = new LinkedHashMap<>();
        Map<MethodModel, String> uncut = new LinkedHashMap<>();   // replaced constructors whose initialisers could not be cut
        for (MethodModel nc : newModel.methods()) {
            if (!nc.methodName().equalsString("<init>") || nc.code().isEmpty()) {
                continue;
            }
            Optional<MethodModel> oc = method(oldModel, "<init>", nc.methodType().stringValue());
            if (oc.isEmpty()) {
                continue; // refused as a new constructor
            }
            Initializers.Cut cut = Initializers.cut(nc, newModel.thisClass().asInternalName(), instanceFields, true);
            String k = "<init>" + nc.methodType().stringValue();
            boolean same = cut.failure() == null
                    && oldCanon.render(oc.get().code().orElseThrow()).equals(newCanon.render(cut.rest()));
            if (!same) {
                Optional<String> why = Constructors.unreplaceable(oc.get(), nc, oldCanon, newCanon);
                if (why.isPresent()) {
                    refuse(k, "constructor changed, " + why.get());
                    continue;
                }
                replaced.add(nc);
                if (cut.failure() != null) {
                    uncut.put(nc, cut.failure());
                    continue;
                }
            }
            for (Map.Entry<String, Segment> e : cut.segments().entrySet()) {
                List<String> t = Initializers.text(e.getValue(), newCanon);
                List<String> prev = initTexts.putIfAbsent(e.getKey(), t);
                if (prev != null && !prev.equals(t)) {
                    refuse(e.getKey(), "new field is initialised differently by different constructors");
                }
                inits.putIfAbsent(e.getKey(), e.getValue());
            }
        }
        // a replaced constructor that sets new fields from more than 'this' and constants: the objects made
        // before the apply read those fields' default values (no initialiser), which the patch reports
        for (Map.Entry<MethodModel, String> u : uncut.entrySet()) {
            String k = "<init>" + u.getKey().methodType().stringValue();
            List<FieldModel> unset = ConstructedState.fieldsLeftAtDefault(u.getKey(), name, newFields, inits.keySet());
            if (unset.isEmpty()) {
                notes.add(name + " " + k + ": changed constructor replaced; objects created before the patch get "
                        + "the initialisers of the new fields it sets (" + u.getValue() + ")");
            } else {
                report(ConstructedState.fieldsReport(name, k, unset, u.getValue()));
            }
        }
    }

    private MethodModel staticInitializer(List<FieldModel> newFields, Map<String, Segment> inits,
                                          Map<String, ConstantDesc> constants, List<MethodModel> replaced,
                                          List<MethodModel> added) {
        Set<String> staticFields = new java.util.HashSet<>();
        for (FieldModel f : newFields) {
            if ((f.flags().flagsMask() & ClassFile.ACC_STATIC) == 0) {
                continue;
            }
            Optional<ConstantValueAttribute> cv = f.findAttribute(Attributes.constantValue());
            if (cv.isPresent()) {
                constants.put(f.fieldName().stringValue(), cv.get().constant().constantValue());
            } else {
                staticFields.add(f.fieldName().stringValue());
            }
        }
        Optional<MethodModel> nc = method(newModel, "<clinit>", "()V");
        Optional<MethodModel> oc = method(oldModel, "<clinit>", "()V");
        List<String> oldText = oc.map(m -> canon(oldModel, UnaryOperator.identity()).render(m.code().orElseThrow()))
                .orElse(List.of("return"));
        List<String> newText;
        String failure = null;
        if (nc.isPresent()) {
            Initializers.Cut cut = Initializers.cut(nc.get(), newModel.thisClass().asInternalName(), staticFields, false);
            failure = cut.failure();
            newText = canon(newModel, newToOld).render(cut.rest());
            if (failure == null) {
                inits.putAll(cut.segments());
            }
        } else {
            newText = List.of("return");
        }
        boolean changed = failure != null || !oldText.equals(newText);
        if (!changed) {
            return null;
        }
        Optional<MethodModel> hook = method(newModel, "atlas$transfer", "()V").filter(ClassDiff::isStatic);
        if (hook.isEmpty()) {
            ChangedStaticInitializer.Outcome o = ChangedStaticInitializer.analyse(oldModel, newModel, newToOld);
            if (o.refusal() != null) {
                refuse("<clinit>", o.refusal());
            }
            if (o.rerun() != null) {
                return null;   // StaticState sees it too: the new view runs the whole new initialiser
            }
            inits.putAll(o.newFields());
            viewCopies.putAll(o.copies());
            notes.addAll(o.notes());
            return null;
        }
        notes.add(name + ": static initialiser changed; atlas$transfer() runs once at apply, the static initialiser "
                + "itself is not re-run");
        return hook.get();
    }

    /** Canonical lines of a method, lambdas inlined. */
    static List<String> text(ClassModel owner, MethodModel m, UnaryOperator<String> names) {
        List<String> lines = new ArrayList<>();
        lines.add(m.methodType().stringValue());
        m.code().ifPresent(c -> lines.addAll(canon(owner, names).render(c)));
        return lines;
    }

    static CanonicalCode canon(ClassModel owner, UnaryOperator<String> names) {
        String self = owner.thisClass().asInternalName();
        CanonicalCode[] holder = new CanonicalCode[1];
        holder[0] = CanonicalCode.of(names, (InvokeDynamicInstruction d) -> {
            if (!d.bootstrapMethod().owner().equals(LMF) || d.bootstrapArgs().size() < 3
                    || !(d.bootstrapArgs().get(1) instanceof DirectMethodHandleDesc impl)
                    || !CanonicalCode.internalName(impl.owner()).equals(self)) {
                return null;
            }
            Optional<MethodModel> target = owner.methods().stream()
                    .filter(x -> x.methodName().equalsString(impl.methodName())
                            && x.methodType().equalsString(impl.lookupDescriptor()) && isLambdaBody(x))
                    .findFirst();
            if (target.isEmpty() || target.get().code().isEmpty()) {
                return null;
            }
            List<ConstantDesc> rest = new ArrayList<>(d.bootstrapArgs());
            rest.remove(1);
            return "lambda " + d.name().stringValue() + holder[0].methodType(d.typeSymbol()) + " "
                    + rest.stream().map(holder[0]::constant).toList() + " " + impl.kind() + " {"
                    + String.join("; ", holder[0].render(target.get().code().get())) + "}";
        });
        return holder[0];
    }

    private void annotationNote() {
        if (!AnnotationChanges.canonical(oldModel).equals(AnnotationChanges.canonical(newModel))) {
            notes.add(name + ": annotation changes ignored (annotations are not patched)");
        }
    }
}
