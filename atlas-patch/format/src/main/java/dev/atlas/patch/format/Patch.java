package dev.atlas.patch.format;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A live patch: the changes to existing classes and the classes it adds, identified by a
 * content hash. Immutable; written and read by {@link PatchFile}.
 *
 * {@snippet class=dev.atlas.patch.snippets.FormatSnippets region=patch}
 *
 * @param formatVersion {@link #FORMAT_VERSION}
 * @param id 16 lowercase hex digits, see {@link PatchIds}
 * @param description free text, may be empty
 * @param classes existing classes that change, at most one entry per class
 * @param addedClasses classes that only exist in the new build
 * @param uncarriedResources paths (in the jar) of the resources the new build adds, changes or
 *        removes, which the patch does not carry: code of every view reads the running release's
 * @param unappliedChanges changes of the new release that the patch reports but does not apply, one
 *        sentence each, naming the class (and member) and what it means for the running JVM:
 *        modifier changes of classes and members, which the loaded classes keep (a JVM never
 *        changes them); the builder accepted each as not affecting what the new release's code
 *        does. {@code inspect}, the {@code apply} reply and {@code atlas status} list them
 */
public record Patch(int formatVersion, String id, String description, List<ClassPatch> classes,
                    List<AddedClass> addedClasses, List<String> uncarriedResources, List<String> unappliedChanges) {
    /** The only format version this code reads and writes. */
    public static final int FORMAT_VERSION = 1;

    public Patch {
        if (formatVersion != FORMAT_VERSION) {
            throw new IllegalArgumentException("format version " + formatVersion + ", expected " + FORMAT_VERSION);
        }
        Objects.requireNonNull(id, "id");
        if (!PatchIds.isLowerHex(id, 16)) {
            throw new IllegalArgumentException("patch id '" + id + "' is not 16 lowercase hex digits");
        }
        Objects.requireNonNull(description, "description");
        classes = List.copyOf(classes);
        addedClasses = List.copyOf(addedClasses);
        uncarriedResources = List.copyOf(uncarriedResources);
        for (String r : uncarriedResources) {
            if (r.isEmpty() || r.indexOf('\t') >= 0 || r.indexOf('\n') >= 0 || r.indexOf('\r') >= 0) {
                throw new IllegalArgumentException("resource path '" + r + "' is empty or holds a tab or line break");
            }
        }
        unappliedChanges = List.copyOf(unappliedChanges);
        for (String u : unappliedChanges) {
            if (u.isEmpty() || u.indexOf('\n') >= 0 || u.indexOf('\r') >= 0) {
                throw new IllegalArgumentException("unapplied change '" + u + "' is empty or holds a line break");
            }
        }
        Set<String> names = new HashSet<>();
        for (ClassPatch c : classes) {
            if (!names.add(c.className())) {
                throw new IllegalArgumentException("class " + c.className() + " appears twice in the patch");
            }
        }
        for (AddedClass a : addedClasses) {
            if (!names.add(a.className())) {
                throw new IllegalArgumentException("class " + a.className() + " appears twice in the patch");
            }
        }
    }

    /** A patch that names no uncarried resource and reports no unapplied change. */
    public Patch(int formatVersion, String id, String description, List<ClassPatch> classes, List<AddedClass> addedClasses) {
        this(formatVersion, id, description, classes, addedClasses, List.of(), List.of());
    }

    /** A patch that reports no unapplied change. */
    public Patch(int formatVersion, String id, String description, List<ClassPatch> classes, List<AddedClass> addedClasses,
                 List<String> uncarriedResources) {
        this(formatVersion, id, description, classes, addedClasses, uncarriedResources, List.of());
    }

    /** The first 8 characters of the id, used in generated class names. */
    public String id8() {
        return id.substring(0, 8);
    }

    /** The internal name of the body class of {@code className} in this patch. */
    public String bodyClassName(String className) {
        return className + "$$AtlasPatch$" + id8();
    }

    /** True if the patch changes nothing. */
    public boolean isEmpty() {
        return classes.isEmpty() && addedClasses.isEmpty();
    }
}
