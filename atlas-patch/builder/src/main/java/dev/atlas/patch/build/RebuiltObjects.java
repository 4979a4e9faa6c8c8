package dev.atlas.patch.build;

import dev.atlas.patch.classfile.CanonicalCode;
import dev.atlas.patch.format.ObjectRebuilds;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.MethodModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Objects made before the apply that the new view rebuilds ({@link BuildOptions#rebuildObjects()}):
 * the operator names an instance method without parameters of a class the patch changes, one that
 * resets an object's state from scratch; the agent re-runs it once on every object of the class
 * made before the apply, at the first entry of an instance method of the class on it in the new
 * view ({@link ObjectRebuilds}). Objects made in the new view must not be rebuilt, so the agent
 * marks them as they are made: every constructor of the class is replaced (by its own new code,
 * changed or not), and the replacement is where the agent's mark goes. A class whose constructor
 * cannot be replaced ({@link Constructors#unreplaceable}) cannot have its objects rebuilt.
 *
 * <p>Refused, each with the reason and the remedy: a method that the new build of the class does
 * not declare, a static one, one that takes parameters, an abstract or native one, one the patch
 * adds (the running class has no such method to call), one of a class the patch does not change.
 *
 * <p>Stateless; a pure function of the builds.
 */
final class RebuiltObjects {
    private RebuiltObjects() {
    }

    /** One {@code pkg.Class#method()} of the options: the class (internal name) and the method's name. */
    record Request(String className, String methodName, String text) {
        /**
         * @throws IllegalArgumentException naming {@code spec} and the expected form, or saying that a
         *         method with parameters cannot be re-run
         */
        static Request parse(String spec) {
            int hash = spec.indexOf('#');
            String form = "expected pkg.Class#method() (an instance method without parameters, e.g. "
                    + "org.apache.commons.beanutils.PropertyUtilsBean#resetBeanIntrospectors())";
            if (hash <= 0 || hash == spec.length() - 1 || spec.indexOf('#', hash + 1) >= 0 || spec.indexOf('/') >= 0
                    || spec.startsWith(".") || spec.isBlank() || spec.indexOf(' ') >= 0) {
                throw new IllegalArgumentException("rebuild method '" + spec + "': " + form);
            }
            String cls = spec.substring(0, hash);
            String m = spec.substring(hash + 1);
            int paren = m.indexOf('(');
            if (paren >= 0) {
                if (!m.endsWith(")") || m.indexOf('(', paren + 1) >= 0) {
                    throw new IllegalArgumentException("rebuild method '" + spec + "': " + form);
                }
                if (paren != m.length() - 2) {
                    throw new IllegalArgumentException("rebuild method '" + spec + "' takes parameters: only a method "
                            + "without parameters can be re-run on an object (there are no arguments to give it); " + form);
                }
                m = m.substring(0, paren);
            }
            if (m.isEmpty() || m.equals("<init>") || m.equals("<clinit>")) {
                throw new IllegalArgumentException("rebuild method '" + spec + "': " + form);
            }
            return new Request(cls.replace('.', '/'), m, spec);
        }
    }

    /**
     * Resolves the options' methods against the plans, adding a refusal for each that cannot be
     * re-run; for each that can, {@code chosen} gets the plan's class name with the method's
     * {@code name + descriptor} (several methods of one class one per line, in the options' order:
     * they run in that order), and the plan every constructor of its class as replaced.
     *
     * @return the plans, with the constructors of the classes whose objects are rebuilt
     */
    static List<ClassDiff.Plan> apply(List<ClassDiff.Plan> plans, List<String> specs, Map<String, ClassModel> newModels,
                                      Map<String, ClassModel> oldModels, UnaryOperator<String> names,
                                      List<Refusal> refusals, Map<String, String> chosen) {
        List<ClassDiff.Plan> out = new ArrayList<>(plans);
        for (String spec : specs) {
            Request r = Request.parse(spec);
            String c = r.className();
            int at = -1;
            for (int i = 0; i < out.size(); i++) {
                if (out.get(i).className().equals(c) || out.get(i).newModel().thisClass().asInternalName().equals(c)) {
                    at = i;
                }
            }
            if (at < 0) {
                refusals.add(new Refusal(c, r.methodName() + "()", "--rebuild-objects " + spec + ": "
                        + (newModels.containsKey(c) || oldModels.containsKey(c)
                        ? "the patch does not change this class, so its objects run the same code in both views and have "
                                + "nothing to rebuild; remedy: leave it out of --rebuild-objects"
                        : "no such class in the new build; remedy: name a class the patch changes")));
                continue;
            }
            ClassDiff.Plan plan = out.get(at);
            Optional<String> why = refusal(plan, r);
            if (why.isPresent()) {
                refusals.add(new Refusal(plan.className(), r.methodName() + "()", "--rebuild-objects " + spec + ": " + why.get()));
                continue;
            }
            String method = r.methodName() + "()" + returnType(plan, r);
            String earlier = chosen.get(plan.className());
            if (earlier != null && (earlier + "\n").contains(method + "\n")) {
                refusals.add(new Refusal(plan.className(), r.methodName() + "()", "--rebuild-objects " + spec + ": named "
                        + "twice; remedy: name each method once, in the order they are to run"));
                continue;
            }
            List<MethodModel> replaced = new ArrayList<>(plan.replaced());
            Optional<String> ctor = constructors(plan, names, replaced);
            if (ctor.isPresent()) {
                refusals.add(new Refusal(plan.className(), r.methodName() + "()", "--rebuild-objects " + spec + ": " + ctor.get()));
                continue;
            }
            chosen.put(plan.className(), earlier == null ? method : earlier + "\n" + method);
            out.set(at, plan.with(replaced, plan.viewStatics()));
        }
        return out;
    }

    /** The text of the build note and of {@code inspect} for a class whose objects are rebuilt. */
    static String note(String className, String method) {
        return ObjectRebuilds.line(className, method);
    }

    private static String returnType(ClassDiff.Plan plan, Request r) {
        return parameterless(plan.newModel(), r.methodName()).orElseThrow().methodType().stringValue().substring(2);
    }

    private static Optional<MethodModel> parameterless(ClassModel m, String name) {
        for (MethodModel x : m.methods()) {
            if (x.methodName().equalsString(name) && x.methodType().stringValue().startsWith("()")) {
                return Optional.of(x);
            }
        }
        return Optional.empty();
    }

    /** Why {@code r} cannot rebuild the objects of {@code plan}'s class, or empty. */
    private static Optional<String> refusal(ClassDiff.Plan plan, Request r) {
        String c = plan.className().replace('/', '.');
        boolean named = false;
        for (MethodModel x : plan.newModel().methods()) {
            named |= x.methodName().equalsString(r.methodName());
        }
        if (!named) {
            return Optional.of("the new build of " + c + " declares no method " + r.methodName() + "; remedy: name a method "
                    + "the class itself declares (not an inherited one)");
        }
        Optional<MethodModel> m = parameterless(plan.newModel(), r.methodName());
        if (m.isEmpty()) {
            return Optional.of(r.methodName() + " takes parameters in every declaration of " + c + ": only a method without "
                    + "parameters can be re-run on an object; remedy: name the method that resets the state, without parameters");
        }
        int f = m.get().flags().flagsMask();
        if ((f & ClassFile.ACC_STATIC) != 0) {
            return Optional.of(r.methodName() + "() is static: it has no object to rebuild; remedy: name an instance method");
        }
        if ((f & (ClassFile.ACC_ABSTRACT | ClassFile.ACC_NATIVE)) != 0 || m.get().code().isEmpty()) {
            return Optional.of(r.methodName() + "() has no body in " + c + " (abstract or native); remedy: name a method with a body");
        }
        if (parameterless(plan.oldModel(), r.methodName()).filter(o -> o.methodType().equalsString(m.get().methodType().stringValue())
                && (o.flags().flagsMask() & ClassFile.ACC_STATIC) == 0).isEmpty()) {
            return Optional.of(r.methodName() + "() is new in the new release: the running class has no such method to re-run; "
                    + "remedy: name a method both releases declare");
        }
        return Optional.empty();
    }

    private static boolean has(List<MethodModel> methods, MethodModel m) {
        for (MethodModel x : methods) {
            if (x.methodName().equalsString(m.methodName().stringValue()) && x.methodType().equalsString(m.methodType().stringValue())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Adds to {@code replaced} every constructor of the plan's class that is not replaced already;
     * empty, or why one cannot be.
     */
    private static Optional<String> constructors(ClassDiff.Plan plan, UnaryOperator<String> names, List<MethodModel> replaced) {
        CanonicalCode newCanon = ClassDiff.canon(plan.newModel(), names);
        CanonicalCode oldCanon = ClassDiff.canon(plan.oldModel(), UnaryOperator.identity());
        for (MethodModel nc : plan.newModel().methods()) {
            if (!nc.methodName().equalsString("<init>") || nc.code().isEmpty() || has(replaced, nc) || has(plan.added(), nc)) {
                continue;
            }
            Optional<MethodModel> oc = Optional.empty();
            for (MethodModel o : plan.oldModel().methods()) {
                if (o.methodName().equalsString("<init>") && o.methodType().equalsString(nc.methodType().stringValue())) {
                    oc = Optional.of(o);
                }
            }
            if (oc.isEmpty()) {
                continue;   // a new constructor: added, runs through the re-routing guards
            }
            Optional<String> why = Constructors.unreplaceable(oc.get(), nc, oldCanon, newCanon);
            if (why.isPresent()) {
                return Optional.of("objects made in the new view are told from older ones by a mark their constructor sets "
                        + "there, so every constructor of the class is replaced by its new code, and constructor "
                        + nc.methodType().stringValue() + " cannot be: " + why.get());
            }
            replaced.add(nc);
        }
        return Optional.empty();
    }
}
