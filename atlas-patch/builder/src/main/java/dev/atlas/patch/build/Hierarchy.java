package dev.atlas.patch.build;

import java.io.IOException;
import java.io.InputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.FieldModel;
import java.lang.classfile.MethodModel;
import java.lang.classfile.constantpool.ClassEntry;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Classes of one build plus its libraries and the platform's classes, for member resolution (which class
 * declares a called method or accessed field) and override checks.
 *
 * <p>Implementation notes: platform classes are parsed on demand from the system class
 * loader's resources and cached; a class found nowhere resolves nothing. Single-threaded.
 */
final class Hierarchy {
    /** A resolved member. */
    record Member(String declaringClass, String name, String descriptor, int flags) {
        boolean isStatic() {
            return (flags & ClassFile.ACC_STATIC) != 0;
        }

        boolean isFinal() {
            return (flags & ClassFile.ACC_FINAL) != 0;
        }

        boolean isPrivate() {
            return (flags & ClassFile.ACC_PRIVATE) != 0;
        }

        boolean isProtected() {
            return (flags & ClassFile.ACC_PROTECTED) != 0;
        }
    }

    private final Map<String, ClassModel> build;
    private final Map<String, byte[]> libraries;
    private final Map<String, Optional<ClassModel>> platform = new HashMap<>();

    Hierarchy(Map<String, ClassModel> build, Map<String, byte[]> libraries) {
        this.build = build;
        this.libraries = libraries;
    }

    /** Whether a class of the build names {@code internalName} as its superclass. */
    boolean extendedInBuild(String internalName) {
        for (ClassModel m : build.values()) {
            if (m.superclass().isPresent() && m.superclass().get().asInternalName().equals(internalName)) {
                return true;
            }
        }
        return false;
    }

    /** A class of the build, else of the libraries, else of the platform. */
    Optional<ClassModel> model(String internalName) {
        ClassModel m = build.get(internalName);
        if (m != null) {
            return Optional.of(m);
        }
        return platform.computeIfAbsent(internalName, n -> {
            byte[] lib = libraries.get(n);
            if (lib != null) {
                try {
                    return Optional.of(ClassFile.of().parse(lib));
                } catch (IllegalArgumentException e) {
                    return Optional.empty();
                }
            }
            try (InputStream in = ClassLoader.getSystemResourceAsStream(n + ".class")) {
                return in == null ? Optional.empty() : Optional.of(ClassFile.of().parse(in.readAllBytes()));
            } catch (IOException | IllegalArgumentException e) {
                return Optional.empty();
            }
        });
    }

    /**
     * Whether {@code c} has {@code ancestor} among its superclasses (not itself), following the
     * chain through the build, its class path and the platform; a chain longer than 64 or leaving
     * what can be read ends the walk as "no".
     */
    boolean isSubclass(ClassModel c, String ancestor) {
        Optional<String> s = c.superclass().map(e -> e.asInternalName());
        for (int depth = 0; s.isPresent() && depth < 64; depth++) {
            if (s.get().equals(ancestor)) {
                return true;
            }
            s = model(s.get()).flatMap(m -> m.superclass()).map(e -> e.asInternalName());
        }
        return false;
    }

    java.util.Collection<ClassModel> buildClasses() {
        return build.values();
    }

    boolean inBuild(String internalName) {
        return build.containsKey(internalName);
    }

    Optional<Member> resolveMethod(String owner, String name, String descriptor) {
        if (owner.startsWith("[")) {
            return Optional.empty();
        }
        Set<String> seen = new HashSet<>();
        Deque<String> interfaces = new ArrayDeque<>();
        for (String c = owner; c != null; ) {
            Optional<ClassModel> m = model(c);
            if (m.isEmpty()) {
                return Optional.empty();
            }
            Optional<Member> declared = declaredMethod(c, m.get(), name, descriptor);
            if (declared.isPresent()) {
                return declared;
            }
            m.get().interfaces().forEach(i -> interfaces.add(i.asInternalName()));
            c = m.get().superclass().map(ClassEntry::asInternalName).orElse(null);
        }
        while (!interfaces.isEmpty()) {
            String i = interfaces.poll();
            if (!seen.add(i)) {
                continue;
            }
            Optional<ClassModel> m = model(i);
            if (m.isEmpty()) {
                continue;
            }
            Optional<Member> declared = declaredMethod(i, m.get(), name, descriptor);
            if (declared.isPresent()) {
                return declared;
            }
            m.get().interfaces().forEach(x -> interfaces.add(x.asInternalName()));
        }
        return Optional.empty();
    }

    /** The method {@code name descriptor} as {@code owner}'s model declares it, if it does. */
    private static Optional<Member> declaredMethod(String owner, ClassModel model, String name, String descriptor) {
        for (MethodModel mm : model.methods()) {
            if (mm.methodName().equalsString(name) && mm.methodType().equalsString(descriptor)) {
                return Optional.of(new Member(owner, name, descriptor, mm.flags().flagsMask()));
            }
        }
        return Optional.empty();
    }

    Optional<Member> resolveField(String owner, String name, String descriptor) {
        Deque<String> todo = new ArrayDeque<>();
        Set<String> seen = new HashSet<>();
        todo.add(owner);
        while (!todo.isEmpty()) {
            String c = todo.poll();
            if (!seen.add(c)) {
                continue;
            }
            Optional<ClassModel> m = model(c);
            if (m.isEmpty()) {
                continue;
            }
            for (FieldModel f : m.get().fields()) {
                if (f.fieldName().equalsString(name) && f.fieldType().equalsString(descriptor)) {
                    return Optional.of(new Member(c, name, descriptor, f.flags().flagsMask()));
                }
            }
            m.get().interfaces().forEach(i -> todo.add(i.asInternalName()));
            m.get().superclass().ifPresent(s -> todo.add(s.asInternalName()));
        }
        return Optional.empty();
    }

    /** A class among {@code internalName} and its supertypes that cannot be found, if any. */
    Optional<String> missingSupertype(String internalName) {
        Deque<String> todo = new ArrayDeque<>();
        Set<String> seen = new HashSet<>();
        todo.add(internalName);
        while (!todo.isEmpty()) {
            String c = todo.poll();
            if (c.startsWith("[") || !seen.add(c)) {
                continue;
            }
            Optional<ClassModel> m = model(c);
            if (m.isEmpty()) {
                return Optional.of(c);
            }
            m.get().superclass().ifPresent(s -> todo.add(s.asInternalName()));
            m.get().interfaces().forEach(i -> todo.add(i.asInternalName()));
        }
        return Optional.empty();
    }

    /** A non-private, non-static method of a proper supertype of {@code cls} with this name and descriptor. */
    Optional<Member> inherited(ClassModel cls, String name, String descriptor) {
        Deque<String> todo = new ArrayDeque<>();
        cls.superclass().ifPresent(s -> todo.add(s.asInternalName()));
        cls.interfaces().forEach(i -> todo.add(i.asInternalName()));
        Set<String> seen = new HashSet<>();
        while (!todo.isEmpty()) {
            String c = todo.poll();
            if (!seen.add(c)) {
                continue;
            }
            Optional<ClassModel> m = model(c);
            if (m.isEmpty()) {
                continue;
            }
            for (MethodModel mm : m.get().methods()) {
                int f = mm.flags().flagsMask();
                if (mm.methodName().equalsString(name) && mm.methodType().equalsString(descriptor)
                        && (f & (ClassFile.ACC_PRIVATE | ClassFile.ACC_STATIC)) == 0) {
                    return Optional.of(new Member(c, name, descriptor, f));
                }
            }
            m.get().superclass().ifPresent(s -> todo.add(s.asInternalName()));
            m.get().interfaces().forEach(i -> todo.add(i.asInternalName()));
        }
        return Optional.empty();
    }

    static String packageOf(String internalName) {
        int slash = internalName.lastIndexOf('/');
        return slash < 0 ? "" : internalName.substring(0, slash);
    }
}
