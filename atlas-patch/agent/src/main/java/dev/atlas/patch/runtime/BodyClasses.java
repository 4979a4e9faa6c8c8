package dev.atlas.patch.runtime;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.CodeModel;
import java.lang.classfile.Instruction;
import java.lang.classfile.MethodModel;
import java.lang.classfile.constantpool.LoadableConstantEntry;
import java.lang.classfile.constantpool.MemberRefEntry;
import java.lang.classfile.constantpool.MethodHandleEntry;
import java.lang.classfile.instruction.FieldInstruction;
import java.lang.classfile.instruction.InvokeDynamicInstruction;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;

/**
 * Defines the body class of one patched class C, so that the frames of its new code show
 * the new release's source file and line numbers in stack traces:
 * {@snippet class=dev.atlas.patch.runtime.RuntimeSnippets region=body-classes}
 *
 * <p>Implementation notes: the JVM leaves every frame of a hidden class out of
 * {@link Throwable#getStackTrace()} (unless {@code -XX:+ShowHiddenFrames}), so a body is an
 * ordinary class of C's loader and package ({@code Lookup.defineClass}), named
 * {@code C$$AtlasPatch$<id8>}. The patch builder routes the body's uses of private members
 * through {@code PatchLinker} links; a body that still names a private member of C's nest
 * directly (a private constructor, a method reference to a private method, or a patch built
 * before bodies were ordinary classes) is defined as a hidden nestmate instead, as before:
 * it runs the same, its frames are just hidden; so is a body whose name an ordinary body class
 * of other content already has in that loader. An ordinary class cannot unload while its
 * loader lives, so re-applying a patch reuses the body class defined the first time (its
 * call sites linked then, or now if that apply was refused before linking; the patch context
 * is registered again): the classes a JVM keeps are one per patched class per distinct patch.
 *
 * <p>Threading: called under the code views' lock (one preparing thread at a time).
 */
final class BodyClasses {
    /** What an ordinary body class was defined from, to tell a re-apply from a clash of names (kept by {@link Linkage}). */
    record Source(byte[] original, CallSitePrelinker.Rewritten rewritten) {}

    /**
     * A defined (or reused) body class.
     *
     * @param lookup a full-privilege lookup on the body class
     * @param toLink its call sites, for {@link CallSitePrelinker#link}, or null when they are linked already
     */
    record Defined(MethodHandles.Lookup lookup, CallSitePrelinker.Rewritten toLink) {}

    private BodyClasses() {}

    /**
     * @param original the body class bytes of the patch (fixed up for the loader of {@code c})
     * @param nextTable hands out the call-site table number of a class to define
     * @throws IllegalAccessException if no full-privilege lookup on {@code c} can be had
     * @throws LinkageError if the JVM refuses the class (verification)
     */
    static Defined define(Class<?> c, byte[] original, java.util.function.IntSupplier nextTable) throws IllegalAccessException {
        MethodHandles.Lookup host = FullLookups.of(c);
        ClassModel model = ClassFile.of().parse(original);
        if (!needsNestAccess(model, c)) {
            String name = model.thisClass().asInternalName().replace('/', '.');
            Class<?> existing = null;
            try {
                existing = Class.forName(name, false, c.getClassLoader());
            } catch (ClassNotFoundException notYet) {
                // first apply of this patch in this loader
            }
            if (existing == null) {
                CallSitePrelinker.Rewritten r = CallSitePrelinker.rewrite(original, nextTable.getAsInt());
                Class<?> defined = host.defineClass(r.bytes());
                Linkage.bindBodySource(defined, new Source(original.clone(), r));
                return new Defined(MethodHandles.privateLookupIn(defined, host), r);
            }
            Source was = Linkage.bodySource(existing);
            if (was != null && Arrays.equals(was.original(), original)) {
                return new Defined(MethodHandles.privateLookupIn(existing, host),
                        CallSitePrelinker.linked(existing) ? null : was.rewritten());
            }
            // the name is taken by other content (another patch whose id begins with the same 8 digits): hidden
        }
        CallSitePrelinker.Rewritten r = CallSitePrelinker.rewrite(original, nextTable.getAsInt());
        return new Defined(host.defineHiddenClass(r.bytes(), true, MethodHandles.Lookup.ClassOption.NESTMATE), r);
    }

    /**
     * Whether the code names a private member of {@code c}'s nest directly (an instruction or
     * a method handle constant), which only a nestmate may use. Conservative: a member whose
     * class or declaration cannot be inspected counts as private.
     */
    static boolean needsNestAccess(ClassModel model, Class<?> c) {
        String self = model.thisClass().asInternalName();
        for (MethodModel m : model.methods()) {
            CodeModel code = m.code().orElse(null);
            if (code == null) {
                continue;
            }
            for (var e : code) {
                if (e instanceof Instruction i && namesPrivate(i, self, c)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean namesPrivate(Instruction i, String self, Class<?> c) {
        return switch (i) {
            case FieldInstruction f -> isPrivate(f.field(), self, c);
            case InvokeInstruction v -> isPrivate(v.method(), self, c);
            case InvokeDynamicInstruction d -> {
                for (LoadableConstantEntry a : d.invokedynamic().bootstrap().arguments()) {
                    if (a instanceof MethodHandleEntry h && isPrivate(h.reference(), self, c)) {
                        yield true;
                    }
                }
                yield false;
            }
            default -> false;
        };
    }

    private static boolean isPrivate(MemberRefEntry ref, String self, Class<?> c) {
        String owner = ref.owner().asInternalName();
        if (owner.equals(self) || owner.startsWith("[") || owner.startsWith("java/")) {
            return false;
        }
        Class<?> o;
        try {
            o = Class.forName(owner.replace('/', '.'), false, c.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return false;   // the link or the access fails either way, hidden or not: the patch says so then
        }
        if (o.getNestHost() != c.getNestHost()) {
            return false;   // another nest's private members are out of reach for a nestmate too
        }
        String name = ref.name().stringValue();
        String desc = ref.type().stringValue();
        try {
            if (desc.startsWith("(")) {
                if (name.equals("<init>")) {
                    for (Constructor<?> k : o.getDeclaredConstructors()) {
                        if (Modifier.isPrivate(k.getModifiers()) && descriptor(k.getParameterTypes(), void.class).equals(desc)) {
                            return true;
                        }
                    }
                    return false;
                }
                for (Method m : o.getDeclaredMethods()) {
                    if (m.getName().equals(name) && Modifier.isPrivate(m.getModifiers())
                            && descriptor(m.getParameterTypes(), m.getReturnType()).equals(desc)) {
                        return true;
                    }
                }
                return false;
            }
            for (Field f : o.getDeclaredFields()) {
                if (f.getName().equals(name) && Modifier.isPrivate(f.getModifiers())) {
                    return true;
                }
            }
            return false;
        } catch (LinkageError | SecurityException e) {
            return true;   // cannot tell: keep nestmate access
        }
    }

    private static String descriptor(Class<?>[] params, Class<?> ret) {
        return java.lang.invoke.MethodType.methodType(ret, params).descriptorString();
    }
}
