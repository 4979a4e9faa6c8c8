package dev.atlas.patch.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Array;
import java.util.Map;
import java.util.Objects;

/**
 * Puts the constants a patch adds to a running enum into the JDK's per-class cache of its
 * constants, which {@code valueOf}, {@code Enum.valueOf}, {@code EnumSet}, {@code EnumMap},
 * {@code Class.getEnumConstants} and deserialisation read. A patch's generated
 * {@code atlas$transfer()} hook of the enum calls {@link #publish} at the apply, in the new
 * view, with the new view's array of constants (the new release's {@code values()}: the running
 * constants and the added ones, in the new release's order).
 *
 * {@snippet :
 * // the hook the patch builder generates for an enum whose constants a patch adds
 * static void atlas$transfer() { EnumConstantViews.publish(JavaVersion.class, JavaVersion.$VALUES); }   // the new view's $VALUES
 * }
 *
 * <p>The cache becomes the running constants followed by the added ones, indexed by ordinal
 * (the added ones have ordinals after the running ones), and the name directory is rebuilt from
 * it on next use. What stays shared: the cache is one per class, so from the apply on every
 * view, the old one included, finds the added constants by name and in
 * {@code EnumSet.allOf}/{@code getEnumConstants}, and a rollback keeps them there (objects may
 * hold the constants; removing them would break those objects' {@code EnumSet}s and
 * {@code EnumMap}s). The old view's {@code values()} is the running array, unchanged.
 * {@code EnumSet}/{@code EnumMap} objects created before the apply keep the running universe:
 * adding an added constant to one fails ({@code ArrayIndexOutOfBoundsException} on iteration or
 * {@code put}).
 *
 * <p>Implementation notes: the cache is {@code Class.enumConstants} and
 * {@code Class.enumConstantDirectory}, private fields of {@code java.lang.Class}; the lookup with
 * private access to {@code Class} is the {@link PackageDefiner#classLookup} of the code views whose
 * transfer hook calls {@link #publish} (the agent's {@code instrument.NewPackageDefiner} opens
 * {@code java.lang} to a module of its own), found through the hook's thread; called from
 * elsewhere, or with a definer that has none, this needs {@code java.lang} open to its own module. Threading: {@link #publish} runs on
 * the thread of the transfer hooks, one patch at a time (under the code views' lock); the JDK
 * writes the cache with plain volatile writes when it finds it empty, so a thread of the old
 * view that is computing the class's cache for the first time at the apply's instant may
 * overwrite the published one with the running constants (the cache is computed before it is
 * replaced here, which leaves only a thread already inside that computation).
 */
public final class EnumConstantViews {
    private EnumConstantViews() {
    }

    /**
     * Publishes {@code viewConstants} (every constant of {@code enumClass} in the new view) to
     * the JDK's cache of {@code enumClass}'s constants, with those of the running cache.
     *
     * @throws IllegalArgumentException if {@code enumClass} is no enum, an element is not one of
     *                                  its constants, or the constants' ordinals are not
     *                                  0..n-1 once each (another patch gave the same ordinal to
     *                                  another constant): the hook fails, and the patch is not applied
     * @throws IllegalStateException    if there is no access to {@code java.lang.Class}
     */
    public static void publish(Class<?> enumClass, Object[] viewConstants) {
        Objects.requireNonNull(enumClass, "enumClass");
        Objects.requireNonNull(viewConstants, "viewConstants");
        if (!enumClass.isEnum()) {
            throw new IllegalArgumentException(enumClass.getName() + " is not an enum class");
        }
        for (Object c : viewConstants) {
            if (!enumClass.isInstance(c)) {
                throw new IllegalArgumentException("not a constant of " + enumClass.getName() + ": " + c);
            }
        }
        VarHandle constants;
        VarHandle directory;
        try {
            MethodHandles.Lookup l = lookup();
            constants = l.findVarHandle(Class.class, "enumConstants", Object[].class);
            directory = l.findVarHandle(Class.class, "enumConstantDirectory", Map.class);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot reach the JDK's cache of enum constants (Class.enumConstants): " + e, e);
        }
        Object[] running = (Object[]) constants.getVolatile(enumClass);
        int n = 0;
        for (Object[] side : running == null ? new Object[][] {viewConstants} : new Object[][] {running, viewConstants}) {
            for (Object c : side) {
                if (!enumClass.isInstance(c)) {
                    throw new IllegalArgumentException("not a constant of " + enumClass.getName() + ": " + c);
                }
                n = Math.max(n, ((Enum<?>) c).ordinal() + 1);
            }
        }
        Object[] union = (Object[]) Array.newInstance(enumClass, n);
        for (Object[] side : running == null ? new Object[][] {viewConstants} : new Object[][] {running, viewConstants}) {
            for (Object c : side) {
                int o = ((Enum<?>) c).ordinal();
                if (union[o] != null && union[o] != c) {
                    throw new IllegalArgumentException(enumClass.getName() + ": constants " + union[o] + " and " + c
                            + " both have ordinal " + o + " (another patch added a constant with that ordinal)");
                }
                union[o] = c;
            }
        }
        for (int i = 0; i < n; i++) {
            if (union[i] == null) {
                throw new IllegalArgumentException(enumClass.getName() + ": no constant has ordinal " + i + " of 0.." + (n - 1));
            }
        }
        if (running != null && running.length == n) {
            return;   // nothing added (a re-apply: the cache holds these constants already)
        }
        constants.setVolatile(enumClass, union);
        directory.setVolatile(enumClass, null);   // rebuilt from the new cache on next use
    }

    private static MethodHandles.Lookup lookup() throws IllegalAccessException {
        if (Thread.currentThread() instanceof TransferHooks.HookThread hooks) {
            MethodHandles.Lookup l = hooks.packages.classLookup();
            if (l != null) {
                return l;
            }
        }
        try {
            return MethodHandles.privateLookupIn(Class.class, MethodHandles.lookup());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("not called by the transfer hooks of code views with the Atlas agent's package "
                    + "definer, and java.lang is not open to "
                    + EnumConstantViews.class.getModule() + ", so the added constants cannot be published", e);
        }
    }
}
