package dev.atlas.testsupport.layout;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.classfile.Annotation;
import java.lang.classfile.Attributes;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.CodeModel;
import java.lang.classfile.MethodModel;
import java.lang.classfile.instruction.FieldInstruction;
import java.lang.classfile.instruction.InvokeDynamicInstruction;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.classfile.instruction.NewObjectInstruction;
import java.lang.constant.ConstantDesc;
import java.lang.constant.DirectMethodHandleDesc;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The test layout rule every module's test tree follows, checked on its compiled test classes:
 * <ol>
 *   <li>a test class that starts another process (a child JVM, a tool such as {@code keytool}), or
 *       attaches to one (Attach API), is an integration test: named {@code *IT}, run by failsafe in
 *       {@code verify}, never by surefire's unit-test run;</li>
 *   <li>a test class that uses Lincheck is a concurrency test: named {@code *ModelCheckTest} or
 *       {@code *StressTest} (surefire's concurrency-tests execution, root pom);</li>
 *   <li>a class with test methods has a name that surefire or failsafe runs ({@code *Test},
 *       {@code *Tests}, {@code *IT}), so no test is silently skipped.</li>
 * </ol>
 *
 * <p>"Starts a process" is decided by reachability, not by naming helpers: from every method of
 * the test class (and its nested classes), calls, field reads and method references are followed
 * through the project's own classes ({@code dev.atlas.*}, test and main code, any module on the
 * class path) to {@link ProcessBuilder}, {@code Runtime.exec} or {@code VirtualMachine}; an
 * object the reachable code creates of a project class makes all of that class's methods reachable
 * (they may be called through an interface or by a framework). Calls a framework makes by
 * reflection from annotations (picocli subcommands) are not followed. A unit test from which a
 * process start is reachable but never taken says why with {@link StartsNoProcess}.
 *
 * <p>Threading: stateless entry point; one scan runs on the calling thread.
 */
public final class TestLayout {
    private static final String PROJECT = "dev/atlas/";
    private static final Set<String> PROCESS_CLASSES = Set.of(
            "java/lang/ProcessBuilder", "com/sun/tools/attach/VirtualMachine");
    private static final List<String> LINCHECK = List.of("org/jetbrains/lincheck/", "org/jetbrains/kotlinx/lincheck/");
    private static final Set<String> TEST_ANNOTATIONS = Set.of(
            "Lorg/junit/jupiter/api/Test;", "Lorg/junit/jupiter/params/ParameterizedTest;",
            "Lorg/junit/jupiter/api/RepeatedTest;", "Lorg/junit/jupiter/api/TestFactory;",
            "Lorg/junit/jupiter/api/TestTemplate;", "Lcom/code_intelligence/jazzer/junit/FuzzTest;");

    private static final String EXEMPTION = "L" + StartsNoProcess.class.getName().replace('.', '/') + ";";

    private final ClassLoader loader;
    private final Map<String, Optional<ClassModel>> models = new HashMap<>();

    private TestLayout(ClassLoader loader) {
        this.loader = loader;
    }

    /**
     * The violations of the rule in the test tree that {@code anyTestClass} was compiled into
     * (its code source, e.g. {@code target/test-classes}), one line each naming the class and
     * what it should be; empty when the tree follows the rule.
     */
    public static List<String> violations(Class<?> anyTestClass) {
        Path root;
        try {
            root = Path.of(anyTestClass.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        return violations(root, anyTestClass.getClassLoader());
    }

    /** The violations in the test classes under {@code testClasses}, resolving other classes through {@code loader}. */
    public static List<String> violations(Path testClasses, ClassLoader loader) {
        TestLayout layout = new TestLayout(loader);
        Map<String, List<ClassModel>> byTopLevel = new HashMap<>();
        try (Stream<Path> files = Files.walk(testClasses)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                ClassModel m = ClassFile.of().parse(Files.readAllBytes(f));
                String name = m.thisClass().asInternalName();
                if (name.endsWith("module-info") || name.endsWith("package-info")) {
                    continue;
                }
                layout.models.put(name, Optional.of(m));
                int dollar = name.indexOf('$');
                byTopLevel.computeIfAbsent(dollar < 0 ? name : name.substring(0, dollar), k -> new ArrayList<>()).add(m);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> out = new ArrayList<>();
        for (String top : new TreeSet<>(byTopLevel.keySet())) {
            layout.check(top, byTopLevel.get(top), out);
        }
        return out;
    }

    private void check(String top, List<ClassModel> classes, List<String> out) {
        String simple = top.substring(top.lastIndexOf('/') + 1);
        String name = top.replace('/', '.');
        boolean hasTests = classes.stream().anyMatch(TestLayout::hasTestMethods);
        boolean it = simple.endsWith("IT") || simple.startsWith("IT");
        boolean unit = simple.endsWith("Test") || simple.endsWith("Tests") || simple.startsWith("Test");
        if (hasTests && !it && !unit) {
            out.add(name + ": has test methods but neither surefire (*Test) nor failsafe (*IT) runs it");
        }
        if (!hasTests || it) {
            return;
        }
        Optional<String> process = startsProcess(classes);
        boolean exempt = classes.stream().filter(c -> c.thisClass().asInternalName().equals(top))
                .anyMatch(c -> c.findAttribute(Attributes.runtimeInvisibleAnnotations()).stream()
                        .flatMap(a -> a.annotations().stream())
                        .anyMatch(a -> a.className().equalsString(EXEMPTION)));
        if (exempt && process.isEmpty()) {
            out.add(name + ": @StartsNoProcess, but no process start is reachable from it: remove the annotation");
        }
        if (process.isPresent() && !exempt) {
            out.add(name + ": starts or attaches to another process (" + process.get()
                    + "): an integration test, to be named *IT");
        }
        boolean concurrencyName = simple.endsWith("ModelCheckTest") || simple.endsWith("StressTest");
        if (!concurrencyName && classes.stream().anyMatch(TestLayout::usesLincheck)) {
            out.add(name + ": uses Lincheck: a concurrency test, to be named *ModelCheckTest or *StressTest");
        }
    }

    private static boolean hasTestMethods(ClassModel m) {
        for (MethodModel method : m.methods()) {
            var annotations = method.findAttribute(Attributes.runtimeVisibleAnnotations());
            if (annotations.isPresent()) {
                for (Annotation a : annotations.get().annotations()) {
                    if (TEST_ANNOTATIONS.contains(a.className().stringValue())) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static boolean usesLincheck(ClassModel m) {
        for (var entry : m.constantPool()) {
            if (entry instanceof java.lang.classfile.constantpool.ClassEntry c) {
                String n = c.asInternalName();
                if (LINCHECK.stream().anyMatch(n::startsWith)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** A method, by owner (internal name), name and descriptor. */
    private record Method(String owner, String name, String descriptor) {
        @Override
        public String toString() {
            return owner.replace('/', '.') + "." + name;
        }
    }

    /** The path to the first process start reachable from any method of {@code classes}, if any. */
    private Optional<String> startsProcess(List<ClassModel> classes) {
        Deque<Method> work = new ArrayDeque<>();
        Map<Method, Method> from = new HashMap<>();
        Set<String> instantiated = new HashSet<>();
        for (ClassModel c : classes) {
            for (MethodModel m : c.methods()) {
                Method root = new Method(c.thisClass().asInternalName(), m.methodName().stringValue(),
                        m.methodType().stringValue());
                if (from.putIfAbsent(root, root) == null) {
                    work.add(root);
                }
            }
        }
        while (!work.isEmpty()) {
            Method m = work.poll();
            Optional<CodeModel> code = code(m);
            if (code.isEmpty()) {
                continue;
            }
            List<Method> next = new ArrayList<>();
            for (var element : code.get()) {
                switch (element) {
                    case InvokeInstruction i -> {
                        String owner = i.owner().asInternalName();
                        if (isProcess(owner, i.name().stringValue())) {
                            return Optional.of(path(from, m) + " -> " + owner.replace('/', '.') + "." + i.name());
                        }
                        next.add(new Method(owner, i.name().stringValue(), i.type().stringValue()));
                        next.add(new Method(owner, "<clinit>", "()V"));
                    }
                    case NewObjectInstruction n -> {
                        String owner = n.className().asInternalName();
                        if (isProcess(owner, "<init>")) {
                            return Optional.of(path(from, m) + " -> new " + owner.replace('/', '.'));
                        }
                        if (owner.startsWith(PROJECT) && instantiated.add(owner)) {
                            model(owner).ifPresent(cm -> cm.methods().forEach(mm -> next.add(new Method(owner,
                                    mm.methodName().stringValue(), mm.methodType().stringValue()))));
                        }
                    }
                    case FieldInstruction f -> next.add(new Method(f.owner().asInternalName(), "<clinit>", "()V"));
                    case InvokeDynamicInstruction indy -> {
                        for (ConstantDesc arg : indy.bootstrapArgs()) {
                            if (arg instanceof DirectMethodHandleDesc h) {
                                String owner = h.owner().descriptorString();
                                owner = owner.substring(1, owner.length() - 1);
                                if (isProcess(owner, h.methodName())) {
                                    return Optional.of(path(from, m) + " -> " + owner.replace('/', '.') + "::"
                                            + h.methodName());
                                }
                                next.add(new Method(owner, h.methodName(), h.lookupDescriptor()));
                            }
                        }
                    }
                    default -> { }
                }
            }
            for (Method n : next) {
                if (n.owner.startsWith(PROJECT) && from.putIfAbsent(n, m) == null) {
                    work.add(n);
                }
            }
        }
        return Optional.empty();
    }

    private static boolean isProcess(String owner, String name) {
        return PROCESS_CLASSES.contains(owner) || (owner.equals("java/lang/Runtime") && name.equals("exec"));
    }

    private static String path(Map<Method, Method> from, Method m) {
        List<String> steps = new ArrayList<>();
        for (Method at = m; ; at = from.get(at)) {
            steps.addFirst(at.toString());
            if (from.get(at).equals(at)) {
                break;
            }
        }
        return String.join(" -> ", steps);
    }

    /** The code of {@code m}, looked up in its owner and then its project superclasses and interfaces. */
    private Optional<CodeModel> code(Method m) {
        Deque<String> owners = new ArrayDeque<>(List.of(m.owner));
        Set<String> seen = new HashSet<>();
        while (!owners.isEmpty()) {
            String owner = owners.poll();
            if (!owner.startsWith(PROJECT) || !seen.add(owner)) {
                continue;
            }
            Optional<ClassModel> cm = model(owner);
            if (cm.isEmpty()) {
                continue;
            }
            for (MethodModel mm : cm.get().methods()) {
                if (mm.methodName().equalsString(m.name) && mm.methodType().equalsString(m.descriptor)) {
                    return mm.code();
                }
            }
            if (m.name.equals("<clinit>") || m.name.equals("<init>")) {
                return Optional.empty();
            }
            cm.get().superclass().ifPresent(s -> owners.add(s.asInternalName()));
            cm.get().interfaces().forEach(i -> owners.add(i.asInternalName()));
        }
        return Optional.empty();
    }

    private Optional<ClassModel> model(String internalName) {
        return models.computeIfAbsent(internalName, n -> {
            try (InputStream in = loader.getResourceAsStream(n + ".class")) {
                return in == null ? Optional.empty() : Optional.of(ClassFile.of().parse(in.readAllBytes()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
