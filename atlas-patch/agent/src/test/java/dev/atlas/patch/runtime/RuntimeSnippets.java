package dev.atlas.patch.runtime;

import java.lang.invoke.CallSite;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;
import java.util.function.Supplier;

/**
 * The code of the {@code {@snippet}} examples in the javadoc of this package's
 * package-private classes, by region: compiled with the tests, so an example that no longer
 * compiles fails the build.
 */
@SuppressWarnings("unused")
final class RuntimeSnippets {
    private RuntimeSnippets() {}

    private int tables;

    static Supplier<?> patchLambdas(MethodHandles.Lookup bodyLookup, MethodHandle implementation) throws Throwable {
        // @start region=patch-lambdas
        // what CallSitePrelinker does with a LambdaMetafactory.metafactory call site of a body class
        CallSite site = PatchLambdas.metafactory(bodyLookup, "get", MethodType.methodType(Supplier.class, String.class),
                MethodType.methodType(Object.class), implementation, MethodType.methodType(String.class),
                List.of(), List.of());
        Supplier<?> s = (Supplier<?>) site.dynamicInvoker().invoke("captured");
        // @end
        return s;
    }

    MethodHandle bodyClasses(Class<?> c, byte[] bytes, MethodType type) throws ReflectiveOperationException {
        // @start region=body-classes
        BodyClasses.Defined d = BodyClasses.define(c, bytes, () -> ++tables);
        MethodHandle run = d.lookup().findStatic(d.lookup().lookupClass(), "replaced$run", type);
        // @end
        return run;
    }
}
