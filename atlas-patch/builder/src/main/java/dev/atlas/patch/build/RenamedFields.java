package dev.atlas.patch.build;

import dev.atlas.patch.classfile.CanonicalCode;

import java.lang.classfile.Attributes;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeTransform;
import java.lang.classfile.FieldElement;
import java.lang.classfile.FieldModel;
import java.lang.classfile.MethodModel;
import java.lang.classfile.constantpool.FieldRefEntry;
import java.lang.classfile.constantpool.PoolEntry;
import java.lang.classfile.instruction.FieldInstruction;
import java.lang.constant.ConstantDescs;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * Private instance fields that the new release renames: the new build is rewritten to use the
 * running field under its running name, so the new view reads and writes the state that objects
 * made before the apply already hold, instead of a field added beside them that would hold the
 * default value for those objects (commons-configuration2 2.10.1 renames
 * {@code AbstractHierarchicalConfiguration.model} to {@code nodeModel}, and changes nothing else
 * in that class; httpclient 4.5.13 renames {@code BasicExpiresHandler.datepatterns}).
 *
 * <p>A removed field {@code X} and an added field {@code Y} of one class are taken as a rename
 * when all of these hold:
 * <ol>
 *   <li>both are private instance fields with the same modifiers, type and generic signature, and
 *       no other field of the class is removed or added with that type and those modifiers;</li>
 *   <li>a method or constructor of both releases that uses {@code Y} has, with {@code Y} read as
 *       {@code X}, the old release's code: the release renamed the field and kept at least one of
 *       its uses as it was;</li>
 *   <li>no class of the new build looks {@code Y} up by name ({@link ReflectedAddedFields}), since
 *       the loaded class has no field of that name;</li>
 *   <li>every reference to {@code Y} in the new build is a field instruction, which the rewrite
 *       renames (a method-handle constant of the field is not rewritten, and keeps it an added field).</li>
 * </ol>
 * Anything else stays an added field beside the running one, as before.
 *
 * <p>Implementation notes: a pure function of the two builds. The rewritten classes are built
 * with a new constant pool, so a reference the rewrite missed would still be in it, which is
 * how condition 4 is checked; their stack maps are regenerated from the new build's hierarchy
 * (a class whose hierarchy cannot be resolved keeps its field as an added one).
 */
final class RenamedFields {
    private static final int FIELD_FLAGS = ClassFile.ACC_PUBLIC | ClassFile.ACC_PRIVATE | ClassFile.ACC_PROTECTED
            | ClassFile.ACC_STATIC | ClassFile.ACC_FINAL | ClassFile.ACC_VOLATILE | ClassFile.ACC_TRANSIENT
            | ClassFile.ACC_SYNTHETIC;

    /** The new build with renamed fields under their running names, and what was renamed. */
    record Outcome(Map<String, byte[]> newBytes, Map<String, ClassModel> newModels, Map<String, Map<String, String>> renamed,
                   List<String> notes) {
        /** Whether the class (new-build name) had a field renamed. */
        boolean renamedIn(String newName) {
            return renamed.containsKey(newName);
        }
    }

    private RenamedFields() {
    }

    /**
     * Rewrites the new build's uses of renamed fields.
     *
     * @param pairs     new-build name to old-build name of each class in both builds
     * @param oldModels the old build's classes by internal name
     * @param newModels the new build's classes by internal name
     * @param newBytes  the new build's class bytes by internal name
     * @param newToOld  new-build class names to running ones
     * @param hierarchy the new build, its libraries and the platform (for stack maps)
     */
    static Outcome rewrite(Map<String, String> pairs, Map<String, ClassModel> oldModels, Map<String, ClassModel> newModels,
                           Map<String, byte[]> newBytes, UnaryOperator<String> newToOld, Hierarchy hierarchy) {
        Map<String, byte[]> bytes = new TreeMap<>(newBytes);
        Map<String, ClassModel> models = new TreeMap<>(newModels);
        Map<String, Map<String, String>> renamed = new TreeMap<>();
        List<String> notes = new ArrayList<>();
        ClassFile classFile = ClassFile.of(ClassFile.ConstantPoolSharingOption.NEW_POOL,
                ClassFile.ClassHierarchyResolverOption.of(resolver(hierarchy)));
        for (Map.Entry<String, String> p : pairs.entrySet()) {
            ClassModel om = oldModels.get(p.getValue());
            for (Map.Entry<String, String> c : candidates(om, models.get(p.getKey()), newToOld).entrySet()) {
                String owner = p.getKey();
                String to = c.getKey();
                String from = c.getValue();
                if (!ReflectedAddedFields.lookedUp(models.values(), Set.of(to)).isEmpty()) {
                    continue;
                }
                Optional<Map<String, byte[]>> rewritten = rewriteAll(classFile, models, owner, to, from);
                if (rewritten.isEmpty()) {
                    continue;
                }
                ClassModel renamedOwner = ClassFile.of().parse(rewritten.get().get(owner));
                if (!keptAUse(om, renamedOwner, from, newToOld)) {
                    continue;
                }
                rewritten.get().forEach((n, b) -> {
                    bytes.put(n, b);
                    models.put(n, ClassFile.of().parse(b));
                });
                renamed.computeIfAbsent(owner, k -> new LinkedHashMap<>()).put(to, from);
                notes.add(p.getValue() + " " + from + ": field renamed to " + to + " by the new release (a private field of the "
                        + "same type whose uses the release kept); the new code uses the running field " + from
                        + ", so objects made before the apply keep its value in the new view");
            }
        }
        return new Outcome(bytes, models, renamed, notes);
    }

    /** Added field name to removed field name, for the unambiguous private instance pairs (condition 1). */
    private static Map<String, String> candidates(ClassModel om, ClassModel nm, UnaryOperator<String> newToOld) {
        Map<String, List<FieldModel>> removed = new HashMap<>();
        Map<String, List<FieldModel>> added = new HashMap<>();
        Set<String> newNames = new java.util.HashSet<>();
        nm.fields().forEach(f -> newNames.add(f.fieldName().stringValue()));
        Set<String> oldNames = new java.util.HashSet<>();
        om.fields().forEach(f -> oldNames.add(f.fieldName().stringValue()));
        CanonicalCode names = CanonicalCode.of(newToOld, d -> null);
        for (FieldModel f : om.fields()) {
            if (!newNames.contains(f.fieldName().stringValue())) {
                removed.computeIfAbsent(shape(f, f.fieldType().stringValue()), k -> new ArrayList<>()).add(f);
            }
        }
        for (FieldModel f : nm.fields()) {
            if (!oldNames.contains(f.fieldName().stringValue())) {
                added.computeIfAbsent(shape(f, names.desc(f.fieldTypeSymbol())), k -> new ArrayList<>()).add(f);
            }
        }
        Map<String, String> out = new LinkedHashMap<>();
        removed.forEach((shape, olds) -> {
            List<FieldModel> news = added.get(shape);
            int flags = olds.getFirst().flags().flagsMask();
            if (olds.size() == 1 && news != null && news.size() == 1 && (flags & ClassFile.ACC_PRIVATE) != 0
                    && (flags & ClassFile.ACC_STATIC) == 0) {
                out.put(news.getFirst().fieldName().stringValue(), olds.getFirst().fieldName().stringValue());
            }
        });
        return out;
    }

    private static String shape(FieldModel f, String mappedDescriptor) {
        String signature = f.findAttribute(Attributes.signature()).map(s -> s.signature().stringValue()).orElse("");
        return (f.flags().flagsMask() & FIELD_FLAGS) + " " + mappedDescriptor + " " + signature;
    }

    /**
     * Every class of the new build that refers to {@code owner.to}, rewritten to {@code owner.from}
     * (the owner's field declaration too); empty if a reference is left over or a class cannot be
     * rewritten (condition 4).
     */
    private static Optional<Map<String, byte[]>> rewriteAll(ClassFile classFile, Map<String, ClassModel> models, String owner,
                                                            String to, String from) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, ClassModel> e : models.entrySet()) {
            ClassModel m = e.getValue();
            if (!e.getKey().equals(owner) && !refers(m, owner, to)) {
                continue;
            }
            CodeTransform code = (cb, ce) -> {
                if (ce instanceof FieldInstruction f && f.owner().asInternalName().equals(owner) && f.name().equalsString(to)) {
                    cb.fieldAccess(f.opcode(), f.owner().asSymbol(), from, f.typeSymbol());
                } else {
                    cb.with(ce);
                }
            };
            ClassTransform fields = (clb, ce) -> {
                if (ce instanceof FieldModel f && e.getKey().equals(owner) && f.fieldName().equalsString(to)) {
                    clb.withField(from, f.fieldTypeSymbol(), fb -> {
                        for (FieldElement fe : f) {
                            fb.with(fe);
                        }
                    });
                } else {
                    clb.with(ce);
                }
            };
            byte[] b;
            try {
                b = classFile.transformClass(m, fields.andThen(ClassTransform.transformingMethodBodies(code)));
            } catch (IllegalArgumentException | IllegalStateException ex) {
                return Optional.empty();   // stack maps of a class whose hierarchy is not in the builds
            }
            if (refers(ClassFile.of().parse(b), owner, to)) {
                return Optional.empty();
            }
            out.put(e.getKey(), b);
        }
        return Optional.of(out);
    }

    private static boolean refers(ClassModel m, String owner, String name) {
        for (PoolEntry pe : m.constantPool()) {
            if (pe instanceof FieldRefEntry f && f.owner().asInternalName().equals(owner) && f.name().equalsString(name)) {
                return true;
            }
        }
        return false;
    }

    /** Whether a method of both releases that uses the field has the old code, the field renamed (condition 2). */
    private static boolean keptAUse(ClassModel om, ClassModel renamedOwner, String field, UnaryOperator<String> newToOld) {
        String self = om.thisClass().asInternalName();
        for (MethodModel nm : renamedOwner.methods()) {
            Optional<MethodModel> old = om.methods().stream()
                    .filter(m -> m.methodName().equals(nm.methodName()) && m.methodType().equalsString(
                            CanonicalCode.of(newToOld, d -> null).methodType(nm.methodTypeSymbol())))
                    .findFirst();
            if (old.isEmpty() || nm.code().isEmpty() || !uses(old.get(), self, field)) {
                continue;
            }
            if (ClassDiff.text(om, old.get(), UnaryOperator.identity()).equals(ClassDiff.text(renamedOwner, nm, newToOld))) {
                return true;
            }
        }
        return false;
    }

    private static boolean uses(MethodModel m, String owner, String field) {
        return m.code().isPresent() && m.code().get().elementStream().anyMatch(e -> e instanceof FieldInstruction f
                && f.owner().asInternalName().equals(owner) && f.name().equalsString(field));
    }

    /** Stack maps of rewritten classes: the new build and its libraries, then the platform. */
    private static ClassHierarchyResolver resolver(Hierarchy hierarchy) {
        ClassHierarchyResolver own = desc -> {
            Optional<ClassModel> m = hierarchy.model(CanonicalCode.internalName(desc));
            if (m.isEmpty()) {
                return null;
            }
            if ((m.get().flags().flagsMask() & ClassFile.ACC_INTERFACE) != 0) {
                return ClassHierarchyResolver.ClassHierarchyInfo.ofInterface();
            }
            return ClassHierarchyResolver.ClassHierarchyInfo.ofClass(
                    m.get().superclass().map(s -> s.asSymbol()).orElse(ConstantDescs.CD_Object.equals(desc) ? null : ConstantDescs.CD_Object));
        };
        return own.orElse(ClassHierarchyResolver.defaultResolver());
    }
}
