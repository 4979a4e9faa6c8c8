package dev.atlas.patch.instrument;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.classfile.ClassFile;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VolatileCallSite;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The code {@link ForeignGuardCode} generates, without retransforming a JDK class
 * (that is {@code JdkOverrideIT}'s, in a JVM of its own): the bridge and a key class verify,
 * and a method woven with a guard runs its own body while the key's call site is inert, the
 * handle the site yields while it yields one, and its own body again once the site is inert
 * again. The generated classes are named into a package of their own, in a loader of their own.
 */
class ForeignGuardCodeTest {
    /** The method to guard. */
    public static class Guardee {
        public String name(String suffix) {
            return "own" + suffix;
        }
    }

    @Test
    void generatedClassesVerify() {
        assertEquals(List.of(), ClassFile.of().verify(ForeignGuardCode.bridgeBytes()));
        assertEquals(List.of(), ClassFile.of().verify(ForeignGuardCode.keyClassBytes(7)));
    }

    @Test
    void wovenMethodFollowsItsKeysCallSite() throws Throwable {
        int key = 3;
        String bridge = "guardtest/Bridge";
        byte[] guarded = ForeignGuardCode.weave(ClassFile.of(), ClassFile.of().parse(classBytes(Guardee.class)),
                List.of(new ForeignGuardCode.Site(key, "name", "(Ljava/lang/String;)Ljava/lang/String;")), bridge);
        assertEquals(List.of(), ClassFile.of().verify(guarded));
        Loader loader = new Loader();
        Class<?> b = loader.define(ForeignGuardCode.bridgeBytes(bridge));
        Class<?> w = loader.define(guarded);   // Guardee again, in a loader of its own

        MethodHandle none = MethodHandles.dropArguments(MethodHandles.constant(MethodHandle.class, null), 0, Object.class);
        VolatileCallSite site = new VolatileCallSite(none);
        Field pending = b.getDeclaredField("pending");
        pending.setAccessible(true);
        pending.set(null, site.dynamicInvoker());
        Class.forName(loader.define(ForeignGuardCode.keyClassBytes(bridge, key)).getName(), true, loader);
        pending.set(null, null);

        Object o = w.getConstructor().newInstance();
        MethodHandle name = MethodHandles.publicLookup().findVirtual(w, "name", MethodType.methodType(String.class, String.class));
        assertEquals("own!", (String) name.invoke(o, "!"), "inert: the method's own body");

        MethodHandle view = MethodHandles.dropArguments(MethodHandles.identity(String.class), 0, w);   // (W, String)String
        site.setTarget(MethodHandles.dropArguments(MethodHandles.constant(MethodHandle.class, view), 0, Object.class));
        assertEquals("?", (String) name.invoke(o, "?"), "on: the handle the site yields, with the receiver and arguments");

        site.setTarget(none);
        assertEquals("own.", (String) name.invoke(o, "."), "inert again: the own body");
    }

    /** Defines the generated classes apart from the test's own. */
    private static final class Loader extends ClassLoader {
        Loader() {
            super(ForeignGuardCodeTest.class.getClassLoader());
        }

        Class<?> define(byte[] bytes) {
            return defineClass(null, bytes, 0, bytes.length);
        }
    }

    private static byte[] classBytes(Class<?> c) throws IOException {
        try (InputStream in = c.getResourceAsStream(c.getSimpleName().isEmpty() ? null
                : c.getName().substring(c.getName().lastIndexOf('.') + 1) + ".class")) {
            return in.readAllBytes();
        }
    }
}
