package dev.atlas.patch.build;

import dev.atlas.patch.classfile.CanonicalCode;
import dev.atlas.patch.build.classfile.Remap;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassModel;
import java.lang.classfile.FieldModel;
import java.lang.classfile.MethodModel;
import java.lang.constant.ConstantDescs;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What code generation needs to know about the whole patch: how new-build names map to
 * the names the code will run under, which members the patch adds, and the problems found
 * while generating (they become refusals).
 *
 * <p>Implementation notes: filled by {@link PatchBuilder} before any code is generated;
 * then read-only except {@link #problems}. Single-threaded.
 */
final class GenContext {
    final Hierarchy newBuild;
    final Map<String, ClassModel> oldModels;
    /** New-build name to the name the code runs under (matched anonymous classes, renamed added classes). */
    final Remap remap;
    /** Reverse of {@link #remap} for the renamed names. */
    final Map<String, String> loadedToNew = new HashMap<>();
    /** Added methods by new-build declaring class, keyed by name + descriptor. */
    final Map<String, Map<String, MethodModel>> addedMethods = new HashMap<>();
    /** Names under which added methods go into the loaded class, when not their own ({@link ClassDiff#addedName}), by new-build owner + "." + name + descriptor. */
    final Map<String, String> addedNames = new HashMap<>();
    /** Names under which added fields go beside running ones of another type ({@link RetypedFields}), by new-build owner + "." + name. */
    final Map<String, String> addedFieldNames = new HashMap<>();
    /** Added fields by new-build declaring class, keyed by name. */
    final Map<String, Map<String, FieldModel>> addedFields = new HashMap<>();
    /** New-build names of the classes the patch adds. */
    final Set<String> addedClasses = new HashSet<>();
    /** Static fields of paired classes (new-build names) that new code reads from its view's copy ({@link StaticState}). */
    final Map<String, Set<String>> viewStatics = new HashMap<>();
    /** {@code owner.field} (new-build names) to the holder class of the new view's value ({@link ViewInitializers}). */
    final Map<String, String> viewHolders = new HashMap<>();
    /** {@code owner.field} (new-build names) of an added static to the holder class of its initial value ({@link AddedStatics}). */
    final Map<String, String> addedStaticHolders = new HashMap<>();
    /** Enums whose running constants have twins in the new view (new-build name to its holder's, EnumConstantStates). */
    final Map<String, String> constantStates = new HashMap<>();
    /** The method ({@code name + descriptor}) that rebuilds older objects of a class ({@link RebuiltObjects}), by its name as loaded. */
    final Map<String, String> rebuiltObjects = new HashMap<>();
    /** Names (as loaded) of generated body classes. */
    final Set<String> bodyClasses = new HashSet<>();
    final List<Refusal> problems = new ArrayList<>();

    GenContext(Hierarchy newBuild, Map<String, ClassModel> oldModels, Map<String, String> renames) {
        this.newBuild = newBuild;
        this.oldModels = oldModels;
        this.remap = Remap.of(renames);
        renames.forEach((n, l) -> loadedToNew.put(l, n));
    }

    boolean isAddedMethod(String newOwner, String name, String descriptor) {
        return addedMethods.getOrDefault(newOwner, Map.of()).containsKey(name + descriptor);
    }

    /** The name of an added method in the loaded class. */
    String addedName(String newOwner, String name, String descriptor) {
        return addedNames.getOrDefault(newOwner + "." + name + descriptor, name);
    }

    /** The name of an added field in the loaded class. */
    String addedFieldName(String newOwner, String name) {
        return addedFieldNames.getOrDefault(newOwner + "." + name, name);
    }

    boolean isViewStatic(String newOwner, String name) {
        return viewStatics.getOrDefault(newOwner, Set.of()).contains(name);
    }

    /** The holder class (new-build name) of the new view's value of a static field, or null. */
    String viewHolder(String newOwner, String name) {
        return viewHolders.get(newOwner + "." + name);
    }

    boolean isAddedField(String newOwner, String name) {
        return addedFields.getOrDefault(newOwner, Map.of()).containsKey(name);
    }

    /** Stack map generation and verification see the classes under their loaded names. */
    ClassFile classFile() {
        ClassHierarchyResolver own = desc -> {
            String n = CanonicalCode.internalName(desc);
            if (bodyClasses.contains(n)) {
                return ClassHierarchyResolver.ClassHierarchyInfo.ofClass(ConstantDescs.CD_Object);
            }
            String newName = loadedToNew.getOrDefault(n, n);
            ClassModel m = newBuild.inBuild(newName) ? newBuild.model(newName).orElse(null) : oldModels.get(n);
            if (m == null) {
                m = newBuild.model(n).orElse(null); // a library or platform class
            }
            if (m == null) {
                return null;
            }
            if ((m.flags().flagsMask() & ClassFile.ACC_INTERFACE) != 0) {
                return ClassHierarchyResolver.ClassHierarchyInfo.ofInterface();
            }
            return ClassHierarchyResolver.ClassHierarchyInfo.ofClass(
                    m.superclass().map(s -> remap.map(s.asSymbol())).orElse(null));
        };
        return ClassFile.of(ClassFile.ClassHierarchyResolverOption.of(own.orElse(ClassHierarchyResolver.defaultResolver())),
                ClassFile.StackMapsOption.GENERATE_STACK_MAPS);
    }
}
