package dev.atlas.patch.build;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atlas.patch.Fixtures;
import dev.atlas.patch.format.ClassPatch;
import dev.atlas.patch.format.Patch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import java.net.URLClassLoader;
import java.net.URL;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/** Compiles v1/v2 fixtures, diffs them, and runs generated body methods against v1 classes. */
final class DiffHarness {
    final Path v1;
    final Path v2;
    final BuildResult result;
    private URLClassLoader loader;

    private final Path tmp;

    DiffHarness(Path tmp, Map<String, String> v1Sources, Map<String, String> v2Sources, String... javacOptions) {
        this.tmp = tmp;
        this.v1 = Fixtures.compile(tmp.resolve("v1"), v1Sources, javacOptions);
        this.v2 = Fixtures.compile(tmp.resolve("v2"), v2Sources, javacOptions);
        try {
            this.result = PatchBuilder.diff(v1, v2, BuildOptions.defaults().withDescription("test"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static DiffHarness of(Path tmp, String className, String v1, String v2) {
        return new DiffHarness(tmp, Map.of(className, v1), Map.of(className, v2));
    }

    Patch patch() {
        assertFalse(result.isRefused(), () -> "refused: " + result.refusals());
        return result.patchOrThrow();
    }

    ClassPatch classPatch(String internalName) {
        return patch().classes().stream().filter(c -> c.className().equals(internalName)).findFirst()
                .orElseThrow(() -> new AssertionError("no class patch for " + internalName + " in " + patch()));
    }

    boolean refusedWith(String text) {
        assertTrue(result.isRefused(), () -> "expected a refusal containing '" + text + "', got patch " + result.patch());
        return result.refusals().stream().anyMatch(r -> r.toString().contains(text));
    }

    /** Every invokedynamic of a class file as "bootstrapName name type [args]". */
    static java.util.List<String> indys(byte[] classBytes) {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (var m : java.lang.classfile.ClassFile.of().parse(classBytes).methods()) {
            m.code().ifPresent(code -> code.forEach(e -> {
                if (e instanceof java.lang.classfile.instruction.InvokeDynamicInstruction d) {
                    out.add(d.bootstrapMethod().methodName() + " " + d.name().stringValue() + " "
                            + d.typeSymbol().descriptorString() + " " + d.bootstrapArgs());
                }
            }));
        }
        return out;
    }

    /** Names of the methods of a class file. */
    static java.util.List<String> methodNames(byte[] classBytes) {
        return java.lang.classfile.ClassFile.of().parse(classBytes).methods().stream()
                .map(m -> m.methodName().stringValue()).toList();
    }

    /** Loads a v1 class in a fresh, isolated loader. */
    Class<?> v1Class(String binaryName) throws Exception {
        if (loader == null) {
            // a helper in the fixture's package gives a full-privilege lookup in the loader's module, as an agent has
            String pkg = binaryName.substring(0, binaryName.lastIndexOf('.'));
            Path helper = Fixtures.compile(tmp.resolve("helper"), Map.of(pkg + ".AtlasTestLookup", "package " + pkg + ";\n"
                    + "public class AtlasTestLookup { public static java.lang.invoke.MethodHandles.Lookup get() {"
                    + " return java.lang.invoke.MethodHandles.lookup(); } }"));
            // parent: this test's loader, for Atlas's runtime (a body's private accesses link through PatchLinker)
            loader = new URLClassLoader(new URL[] {v1.toUri().toURL(), helper.toUri().toURL()},
                    DiffHarness.class.getClassLoader());
        }
        return loader.loadClass(binaryName);
    }

    /** Defines the body class of {@code binaryName} as the runtime would and returns a handle to one of its methods. */
    MethodHandle bodyMethod(String binaryName, String method) throws Exception {
        Class<?> c = v1Class(binaryName);
        byte[] body = classPatch(binaryName.replace('.', '/')).bodyClass();
        String pkg = binaryName.substring(0, binaryName.lastIndexOf('.'));
        MethodHandles.Lookup base = (MethodHandles.Lookup) loader.loadClass(pkg + ".AtlasTestLookup").getMethod("get").invoke(null);
        MethodHandles.Lookup hidden = MethodHandles.privateLookupIn(c, base)
                .defineHiddenClass(body, true, MethodHandles.Lookup.ClassOption.NESTMATE);
        Method m = Arrays.stream(hidden.lookupClass().getDeclaredMethods()).filter(x -> x.getName().equals(method))
                .findFirst().orElseThrow(() -> new AssertionError("no body method " + method));
        return hidden.unreflect(m);
    }
}
