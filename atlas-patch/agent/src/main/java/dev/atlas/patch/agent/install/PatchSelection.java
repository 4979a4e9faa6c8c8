package dev.atlas.patch.agent.install;

import dev.atlas.patch.format.ClassPatch;
import dev.atlas.patch.format.MethodChange;
import dev.atlas.patch.format.Patch;
import dev.atlas.patch.instrument.ClassSelector;
import dev.atlas.patch.runtime.MethodRegistry;

import java.lang.instrument.Instrumentation;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The classes a patch needs patchable, and those of them a selector leaves out: what {@code atlas
 * patch apply} selects when it installs the agent with no {@code --include}, and what it widens
 * an installed agent's selection by.
 *
 * <p>A patch needs:
 * <ul>
 *   <li>the classes it changes: their entry guards are where a view's new code is reached
 *       (nested classes follow their outer class, as in every class pattern: a class and its
 *       inner classes usually change together, and they are few);</li>
 *   <li>the application supertypes (superclasses and interfaces, not the JDK's) that declare a
 *       method that a method the patch adds to a loaded class overrides: the override is reached
 *       through the guard of the overridden method ({@code OverrideDispatch}), and a patch's
 *       {@code super} calls ask that guard to skip its dispatcher. Only those: a supertype none of
 *       whose methods a patch overrides needs no guard, and a framework's base classes (a
 *       servlet's, a Netty handler's) are on every request's path, where a retransformation at the
 *       patch's instant costs a safepoint and deoptimisation.</li>
 * </ul>
 * Not the classes the patch's code merely calls or reads: they keep the code they have in every
 * view, so they need no guard; calls of methods the patch adds are linked by the patch's own code
 * ({@code PatchLinker}) and, in classes loaded later, by the instrumenter whatever the selection
 * ({@code OutsideCallRewriter}). Nor whole packages: a later patch that changes other classes
 * widens the selection by those ({@link AgentInstaller#widen}), so selecting more ahead of time
 * would only make every late attach pay for classes no patch may ever change. Request
 * boundaries are woven through the type hierarchy whatever the selection.
 *
 * @param changed    the classes the patch changes (internal names)
 * @param supertypes the application supertypes whose methods the patch's added methods override
 * @param excluded   those of both that an exclude pattern of the running selection names: left
 *                   out (the patch is then refused if it needs them)
 * @param missing    the rest that the running selection does not select, as class patterns
 *                   (empty: nothing to add)
 */
public record PatchSelection(List<String> changed, List<String> supertypes, List<String> excluded, List<String> missing) {
    public PatchSelection {
        changed = List.copyOf(changed);
        supertypes = List.copyOf(supertypes);
        excluded = List.copyOf(excluded);
        missing = List.copyOf(missing);
    }

    /**
     * What {@code patch} needs patchable beyond what an installed agent selects: the changed
     * classes {@code registry} knows as patchable are found through their loaders; only when some
     * are unknown to it does this walk over all the loaded classes (tens of milliseconds on a
     * large service: paid once, by the apply that widens the selection).
     */
    public static PatchSelection of(Patch patch, Instrumentation inst, ClassSelector current, MethodRegistry registry) {
        return of(patch, inst, current, List.of(), registry);
    }

    /**
     * What {@code patch} needs patchable before the agent is installed, leaving out the classes
     * {@code excludes} names (patterns, checked; the user's {@code --exclude}): one walk over the
     * loaded classes.
     *
     * @throws IllegalArgumentException naming a malformed pattern
     */
    public static PatchSelection of(Patch patch, Instrumentation inst, List<String> excludes) {
        return of(patch, inst, ClassSelector.none(), excludes, null);
    }

    private static PatchSelection of(Patch patch, Instrumentation inst, ClassSelector current, List<String> excludes,
                                     MethodRegistry registry) {
        ClassSelector leftAlone = new ClassSelector(List.of(), excludes);
        Set<String> changed = new LinkedHashSet<>();
        for (ClassPatch cp : patch.classes()) {
            changed.add(cp.className());
        }
        Set<String> supertypes = new LinkedHashSet<>();
        Set<String> unknown = new HashSet<>(changed);
        Map<String, Set<String>> overriding = addedInstanceMethods(patch);   // class -> name+descriptor
        if (registry != null) {
            for (String name : changed) {
                for (MethodRegistry.LoadedClassInfo info : registry.loaded(name)) {
                    try {
                        Class<?> c = Class.forName(name.replace('/', '.'), false, info.loader());
                        collectOverridden(c, overriding.get(name), supertypes, new HashSet<>());
                        unknown.remove(name);
                    } catch (ClassNotFoundException | LinkageError e) {
                        // its loader no longer finds it: looked for among the loaded classes below
                    }
                }
            }
        }
        unknown.retainAll(overriding.keySet());   // only these have supertypes to look at
        if (!unknown.isEmpty()) {
            ClassLoader platform = ClassLoader.getPlatformClassLoader();
            for (Class<?> c : inst.getAllLoadedClasses()) {
                ClassLoader l = c.getClassLoader();
                if (l != null && l != platform && !c.isHidden() && !c.isArray() && unknown.contains(internal(c))) {
                    collectOverridden(c, overriding.get(internal(c)), supertypes, new HashSet<>());
                }
            }
        }
        supertypes.removeAll(changed);
        List<String> excluded = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (Set<String> names : List.of(changed, supertypes)) {
            for (String n : names) {
                if (current.excludes(n) || leftAlone.excludes(n)) {
                    excluded.add(n.replace('/', '.'));
                } else if (ClassSelector.selectable(n, ClassLoader.getSystemClassLoader()) && !current.selectsName(n)) {
                    missing.add(n.replace('/', '.'));
                }
            }
        }
        return new PatchSelection(List.copyOf(changed), List.copyOf(supertypes), excluded, missing);
    }

    /** The classes to add to the selection, or null if there are none. */
    public ClassSelector widening() {
        return missing.isEmpty() ? null : new ClassSelector(missing, List.of());
    }

    /**
     * E.g. {@code 2 class(es) the patch changes and 1 supertype(s) whose methods it overrides, not selected
     * before: it.a.B, it.a.C, it.a.I}, and the classes left out by an exclude pattern if any.
     */
    public String describe() {
        int ofChanged = 0;
        for (String m : missing) {
            ofChanged += changed.contains(m.replace('.', '/')) ? 1 : 0;
        }
        return ofChanged + " class(es) the patch changes and " + (missing.size() - ofChanged) + " supertype(s) "
                + "whose methods it overrides, not selected before: " + String.join(", ", missing)
                + (excluded.isEmpty() ? "" : "; left out by an exclude pattern: " + String.join(", ", excluded));
    }

    /** Per changed class, the instance methods the patch adds to it that may override one ({@code name + descriptor}). */
    private static Map<String, Set<String>> addedInstanceMethods(Patch patch) {
        Map<String, Set<String>> out = new HashMap<>();
        for (ClassPatch cp : patch.classes()) {
            for (MethodChange mc : cp.methods()) {
                if (mc.kind() == MethodChange.Kind.ADDED && !mc.isStatic() && !mc.name().startsWith("<")) {
                    out.computeIfAbsent(cp.className(), k -> new HashSet<>()).add(mc.name() + mc.descriptor());
                }
            }
        }
        return out;
    }

    /**
     * Adds to {@code out} the application supertypes of {@code c} that declare one of {@code added}
     * (non-private instance methods), at any depth.
     */
    private static void collectOverridden(Class<?> c, Set<String> added, Set<String> out, Set<Class<?>> seen) {
        if (added == null) {
            return;
        }
        List<Class<?>> direct = new ArrayList<>(List.of(c.getInterfaces()));
        if (c.getSuperclass() != null) {
            direct.add(c.getSuperclass());
        }
        for (Class<?> s : direct) {
            if (seen.add(s) && ClassSelector.selectable(internal(s), s.getClassLoader())) {
                if (declaresOneOf(s, added)) {
                    out.add(internal(s));
                }
                collectOverridden(s, added, out, seen);
            }
        }
    }

    /** Whether {@code s} declares a non-private instance method of {@code added}; true if it cannot be told. */
    private static boolean declaresOneOf(Class<?> s, Set<String> added) {
        try {
            for (Method m : s.getDeclaredMethods()) {
                int mod = m.getModifiers();
                if (!Modifier.isStatic(mod) && !Modifier.isPrivate(mod) && added.contains(m.getName()
                        + MethodType.methodType(m.getReturnType(), m.getParameterTypes()).toMethodDescriptorString())) {
                    return true;
                }
            }
            return false;
        } catch (LinkageError e) {   // a parameter type missing: an optional dependency; select it rather than miss one
            return true;
        }
    }

    private static String internal(Class<?> c) {
        return c.getName().replace('.', '/');
    }
}
