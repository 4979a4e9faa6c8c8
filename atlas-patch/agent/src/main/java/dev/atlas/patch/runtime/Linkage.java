package dev.atlas.patch.runtime;

import java.lang.invoke.CallSite;
import java.lang.invoke.ConstantCallSite;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The one static place of the agent's runtime: code that Atlas generates can name only a
 * bootstrap method, and this is how such a bootstrap finds the instances that own the code.
 * Everything else (code views, their method registry, their shadow fields) is an instance
 * created and owned by whoever creates a {@link CodeViews}: the agent, a benchmark, a test.
 * <ol>
 *   <li>Instrumented application code: its bootstrap arguments carry the index under which
 *       its {@link MethodRegistry} registered here ({@link #registry(int)}).</li>
 *   <li>A patch's classes (body classes and added classes), which the agent defines itself:
 *       each is mapped, with the class ({@link ClassStore}, a {@link ClassValue}), to its
 *       {@link PatchContext} (the patch, and the registry and shadow fields of the code views
 *       that prepared it) and, for a body class, to its prelinked call sites and (an ordinary
 *       body class) to what it was defined from.</li>
 * </ol>
 *
 * <p>Implementation notes: a registry stays registered for the life of the process (code
 * woven with its index may run as long as its class lives); a class's entries go with the
 * class. Registration happens before the code that needs it can run: a registry when it is
 * created (before any instrumenter can emit its index), a class's context and call sites
 * before its patch's view is published (which orders them before any link).
 *
 * <p>Threading: shared; all methods from any thread.
 */
final class Linkage {
    private static final CopyOnWriteArrayList<MethodRegistry> REGISTRIES = new CopyOnWriteArrayList<>();
    private static final ClassStore<PatchContext> CONTEXTS = new ClassStore<>();
    private static final ClassStore<Linked> SITES = new ClassStore<>();
    private static final ClassStore<BodyClasses.Source> BODY_SOURCES = new ClassStore<>();
    private static final ClassStore<AddedClassNames.Source> ADDED_SOURCES = new ClassStore<>();

    /** The call sites of one body class, under the table number its code was redirected to. */
    record Linked(int table, CallSite[] sites) {}

    private Linkage() {}

    /**
     * The class a rewritten instruction names, resolved from its caller's loader without
     * initialising it.
     *
     * @throws NoClassDefFoundError when the caller's loader has no such class (the error the
     *         instruction would have thrown)
     */
    static Class<?> ownerClass(MethodHandles.Lookup caller, String owner) {
        try {
            return Class.forName(owner.replace('/', '.'), false, caller.lookupClass().getClassLoader());
        } catch (ClassNotFoundException e) {
            NoClassDefFoundError err = new NoClassDefFoundError(owner);
            err.initCause(e);
            throw err;
        }
    }

    /** A call site that throws {@code error} each time, as the unlinkable instruction would. */
    static CallSite failingSite(MethodType type, Throwable error) {
        MethodHandle thrower = MethodHandles.throwException(type.returnType(), error.getClass())
                .bindTo(error);
        return new ConstantCallSite(MethodHandles.dropArguments(thrower, 0, type.parameterList()));
    }

    /** Registers a new registry; returns the index its woven code names. */
    static int register(MethodRegistry registry) {
        synchronized (REGISTRIES) {
            REGISTRIES.add(registry);
            return REGISTRIES.size() - 1;
        }
    }

    /** @throws IllegalArgumentException if no registry has that index */
    static MethodRegistry registry(int index) {
        if (index < 0 || index >= REGISTRIES.size()) {
            throw new IllegalArgumentException("no method registry with index " + index);
        }
        return REGISTRIES.get(index);
    }

    /** Maps a class the agent defined for a patch to its context (replacing any earlier one). */
    static void bind(Class<?> patchClass, PatchContext context) {
        CONTEXTS.put(patchClass, context);
    }

    /** The context of a patch's class, or null if it is not one. */
    static PatchContext context(Class<?> patchClass) {
        return CONTEXTS.get(patchClass);
    }

    /** Stores the prelinked call sites of a body class. */
    static void bindSites(Class<?> bodyClass, Linked sites) {
        SITES.put(bodyClass, sites);
    }

    /** The prelinked call sites of a body class, or null. */
    static Linked sites(Class<?> bodyClass) {
        return SITES.get(bodyClass);
    }

    /** Records what an ordinary (named) body class was defined from ({@link BodyClasses}). */
    static void bindBodySource(Class<?> bodyClass, BodyClasses.Source source) {
        BODY_SOURCES.put(bodyClass, source);
    }

    /** What a named body class was defined from, or null. */
    static BodyClasses.Source bodySource(Class<?> bodyClass) {
        return BODY_SOURCES.get(bodyClass);
    }

    /** Records what an added class defined under its own name was defined from ({@link AddedClassNames}). */
    static void bindAddedSource(Class<?> addedClass, AddedClassNames.Source source) {
        ADDED_SOURCES.put(addedClass, source);
    }

    /** What an added class defined under its own name was defined from, or null if Atlas did not define it. */
    static AddedClassNames.Source addedSource(Class<?> c) {
        return ADDED_SOURCES.get(c);
    }
}
