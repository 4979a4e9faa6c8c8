package dev.atlas.patch.runtime;

import dev.atlas.patch.classfile.ClassFingerprint;

import java.io.IOException;
import java.io.InputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassModel;
import java.lang.classfile.constantpool.ClassEntry;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Tells whether a loaded class can never have run in this process: its own bytecode, as
 * loaded, does not verify in its class loader because the verifier would have to load a class
 * that the loader does not have (log4j-core's {@code JmsAppender$Builder} catches
 * {@code javax.jms.JMSException}; without JMS on the class path the class loads, as log4j's
 * plugin scan loads it, but never links). A class that does not link has run no code, has no
 * instances and no initialised static state, so a patch's new code for it, which names the same
 * missing classes, can be left out without any thread seeing a difference
 * ({@link PatchPreparer}: the apply reports it as deferred).
 *
 * <p>Conservative: the answer is "cannot link" only when the JVM verifies the loader's classes
 * (the default: started without {@code -Xverify:none}, {@code -noverify} or the diagnostic
 * {@code BytecodeVerificationRemote}; never for the boot loader), the loader
 * still serves the very bytes that were loaded (same fingerprint), the JDK's verifier
 * ({@link ClassFile#verify}) rejects them because it cannot resolve a class, and that class is
 * one of the class's references that the loader cannot load. Anything else, including a
 * question this code cannot answer, is "may link".
 *
 * <p>Threading: stateless; called by the preparing thread.
 */
final class UnlinkableClass {
    private static final String UNRESOLVED = "Could not resolve class ";

    private UnlinkableClass() {
    }

    /**
     * Why class {@code info} (loaded, instrumented) cannot link in its loader, or null if it may
     * link or this cannot be told.
     */
    static String whyItCannotLink(MethodRegistry.LoadedClassInfo info) {
        ClassLoader loader = info.loader();
        byte[] bytes = loader == null ? null : servedBytes(info);
        if (bytes == null) {
            return null;
        }
        Set<String> missing = missingReferences(loader, ClassFile.of().parse(bytes));
        // the common case ends here: the class names nothing its loader lacks
        if (missing.isEmpty() || !ClassFingerprint.of(bytes).equals(info.fingerprint()) || !verifiesLoadedClasses()) {
            return null;
        }
        List<VerifyError> errors;
        try {
            ClassHierarchyResolver resolver = ClassHierarchyResolver.defaultResolver()
                    .orElse(ClassHierarchyResolver.ofResourceParsing(loader));
            errors = ClassFile.of(ClassFile.ClassHierarchyResolverOption.of(resolver)).verify(bytes);
        } catch (RuntimeException e) {
            return null;
        }
        for (VerifyError e : errors) {
            String m = String.valueOf(e.getMessage());
            for (String name : missing) {
                if (m.endsWith(UNRESOLVED + name) || m.endsWith(UNRESOLVED + simpleName(name))) {
                    return "its own bytecode does not verify without class " + name + ", which its class loader does not have,"
                            + " so it never linked: none of its code ran and no instance of it exists";
                }
            }
        }
        return null;
    }

    /**
     * The classes (internal names) that the bytecode of class {@code info}, as loaded, names in
     * its constant pool; empty if its loader no longer serves the bytes that were loaded.
     */
    static Set<String> classesNamedBy(MethodRegistry.LoadedClassInfo info) {
        byte[] bytes = loadedBytes(info);
        Set<String> names = new java.util.HashSet<>();
        if (bytes != null) {
            for (var entry : ClassFile.of().parse(bytes).constantPool()) {
                if (entry instanceof ClassEntry ce) {
                    names.add(ce.asInternalName());
                }
            }
        }
        return names;
    }

    /** The bytes class {@code info} was loaded from, as its loader serves them (same fingerprint), or null. */
    private static byte[] loadedBytes(MethodRegistry.LoadedClassInfo info) {
        byte[] bytes = info.loader() == null ? null : servedBytes(info);
        return bytes != null && ClassFingerprint.of(bytes).equals(info.fingerprint()) ? bytes : null;
    }

    /** The class file its loader serves for class {@code info} (not necessarily the bytes it was loaded from), or null. */
    private static byte[] servedBytes(MethodRegistry.LoadedClassInfo info) {
        try (InputStream in = info.loader().getResourceAsStream(info.className() + ".class")) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The classes {@code model} names (array element types included) that {@code loader} cannot
     * load, in binary form. Only a class without a class-file resource is loaded to tell.
     */
    static Set<String> missingReferences(ClassLoader loader, ClassModel model) {
        Set<String> missing = new TreeSet<>();
        for (var entry : model.constantPool()) {
            if (entry instanceof ClassEntry ce) {
                String n = ce.asInternalName();
                int dims = 0;
                while (dims < n.length() && n.charAt(dims) == '[') {
                    dims++;
                }
                if (dims > 0) {
                    if (!n.endsWith(";") || n.charAt(dims) != 'L') {
                        continue;   // an array of a primitive type
                    }
                    n = n.substring(dims + 1, n.length() - 1);
                }
                if (loader.getResource(n + ".class") != null) {
                    continue;   // there, without loading it
                }
                String dotted = n.replace('/', '.');
                try {   // no resource, yet perhaps a class the loader makes: loading tells
                    Class.forName(dotted, false, loader);
                } catch (ClassNotFoundException | LinkageError e) {
                    missing.add(dotted);
                }
            }
        }
        return missing;
    }

    private static String simpleName(String binaryName) {
        return binaryName.substring(binaryName.lastIndexOf('.') + 1);
    }

    /**
     * Whether the JVM verifies the classes of loaders other than the boot loader (false if this
     * cannot be told): the default, unless the JVM was started with {@code -Xverify:none},
     * {@code -noverify} or with the diagnostic {@code BytecodeVerificationRemote} set.
     */
    private static boolean verifiesLoadedClasses() {
        try {
            for (String arg : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
                if (arg.startsWith("-Xverify") || arg.equals("-noverify") || arg.contains("BytecodeVerificationRemote")) {
                    return false;
                }
            }
            return true;
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }
}
