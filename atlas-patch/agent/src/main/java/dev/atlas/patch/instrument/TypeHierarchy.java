package dev.atlas.patch.instrument;

import java.io.IOException;
import java.io.InputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The supertypes of a class at any depth, read from class files through its loader (at class
 * load time the supertypes may not be loaded yet, and loading them from a transformer is not
 * allowed), cached per loader.
 *
 * {@snippet class=dev.atlas.patch.snippets.AgentSnippets region=type-hierarchy}
 *
 * <p>Implementation notes: a supertype whose class file cannot be read (a generated class, a
 * loader that does not serve resources) ends the walk on that branch; the answer is then
 * "not a subtype", never an exception.
 *
 * <p>Threading: shared; the per-loader caches are concurrent maps, the map of loaders is
 * guarded by itself.
 */
public final class TypeHierarchy {
    private static final List<String> NONE = List.of();

    private final Map<ClassLoader, Map<String, List<String>>> direct = new WeakHashMap<>();
    private final Map<String, List<String>> bootstrap = new ConcurrentHashMap<>();

    /** Whether {@code type} (internal name) is {@code ancestor} or extends/implements it at any depth. */
    public boolean isSubtype(ClassLoader loader, String type, String ancestor) {
        return supertypes(loader, type, NONE).contains(ancestor);
    }

    /**
     * {@code type} and all its supertypes (internal names), the direct ones given (so that the
     * class being loaded is never looked up).
     */
    public Set<String> supertypes(ClassLoader loader, String type, List<String> directSupertypes) {
        Set<String> seen = new HashSet<>();
        seen.add(type);
        Deque<String> todo = new ArrayDeque<>(directSupertypes.isEmpty() ? direct(loader, type) : directSupertypes);
        while (!todo.isEmpty()) {
            String t = todo.pop();
            if (seen.add(t)) {
                todo.addAll(direct(loader, t));
            }
        }
        return seen;
    }

    private List<String> direct(ClassLoader loader, String type) {
        if (type.equals("java/lang/Object")) {
            return NONE;
        }
        Map<String, List<String>> cache = cache(loader);
        List<String> d = cache.get(type);
        if (d == null) {
            d = read(loader, type);
            cache.put(type, d);
        }
        return d;
    }

    private Map<String, List<String>> cache(ClassLoader loader) {
        if (loader == null) {
            return bootstrap;
        }
        synchronized (direct) {
            return direct.computeIfAbsent(loader, l -> new ConcurrentHashMap<>());
        }
    }

    /**
     * The descriptors of the non-private constructors of {@code type}, read from its class file
     * (not cached: asked once per class the agent instruments, for its superclass); empty when
     * the class file cannot be read.
     */
    public List<String> constructors(ClassLoader loader, String type) {
        ClassModel m = classFile(loader, type);
        if (m == null) {
            return NONE;
        }
        List<String> out = new ArrayList<>();
        for (var method : m.methods()) {
            if (method.methodName().equalsString("<init>") && (method.flags().flagsMask() & ClassFile.ACC_PRIVATE) == 0) {
                out.add(method.methodType().stringValue());
            }
        }
        return out;
    }

    private static List<String> read(ClassLoader loader, String type) {
        ClassModel m = classFile(loader, type);
        if (m == null) {
            return NONE;
        }
        List<String> out = new ArrayList<>();
        m.superclass().ifPresent(s -> out.add(s.asInternalName()));
        for (var i : m.interfaces()) {
            out.add(i.asInternalName());
        }
        return Collections.unmodifiableList(out);
    }

    /** The class file of {@code type} as its loader serves it, or null. */
    private static ClassModel classFile(ClassLoader loader, String type) {
        String resource = type + ".class";
        try (InputStream in = loader != null ? loader.getResourceAsStream(resource)
                : ClassLoader.getSystemResourceAsStream(resource)) {
            return in == null ? null : ClassFile.of().parse(in.readAllBytes());
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }
}
