package dev.atlas.patch.runtime;

/**
 * Defines a class that a patch adds in a package its class loader has no class of yet (a
 * package new in the new release, such as commons-text 1.10.0's
 * {@code org.apache.commons.text.numbers}). {@code Lookup.defineClass} only defines into
 * the lookup class's own package, so this takes the loader's own {@code defineClass}, which
 * the JDK keeps to the loader and to whoever Instrumentation lets in (the agent's
 * {@code instrument.NewPackageDefiner}).
 *
 * {@snippet :
 * CodeViews views = new CodeViews(PackageDefiner.UNAVAILABLE);   // patches that add packages are refused
 * }
 *
 * <p>Implementation notes: called by one operator thread at a time, under the code views'
 * lock. An implementation must define exactly the bytes given, under {@code binaryName}, in
 * {@code host}'s loader, or throw; it must never define a class in a package
 * that is sealed or that belongs to a named module ({@link PatchPreparer} checks both before
 * it calls).
 */
@FunctionalInterface
public interface PackageDefiner {
    /** No way to define into a new package: such a patch is refused, naming the reason. */
    PackageDefiner UNAVAILABLE = (host, binaryName, bytes) -> {
        throw new PatchRejectedException("class " + binaryName + " is in a package that is new to its class loader, "
                + "and these code views were created without a way to define classes in new packages (the Atlas "
                + "agent gives one through java.lang.instrument); remedy: apply the patch through the agent, or "
                + "restart on the new release");
    };

    /**
     * Defines the class in {@code host}'s loader, with its protection domain (the old
     * release's code source); the new package, if the loader has none of that name yet, gets
     * {@code host}'s package's specification and implementation attributes, unsealed.
     *
     * @throws PatchRejectedException if this definer cannot define it, naming why
     * @throws LinkageError           as {@code ClassLoader.defineClass} does
     */
    Class<?> define(Class<?> host, String binaryName, byte[] bytes);

    /**
     * A lookup with private access to {@code java.lang.Class}, for {@link EnumConstantViews}
     * (which publishes a patch's added enum constants from the transfer hooks of the code views
     * this definer serves), or null if this definer has none (then {@code java.lang} must be open
     * to the agent's module).
     */
    default java.lang.invoke.MethodHandles.Lookup classLookup() {
        return null;
    }
}
