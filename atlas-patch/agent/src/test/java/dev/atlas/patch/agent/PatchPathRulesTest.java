package dev.atlas.patch.agent;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaCall;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.CodeElement;
import java.lang.classfile.MethodModel;
import java.lang.classfile.instruction.InvokeDynamicInstruction;
import java.util.Optional;
import java.util.Set;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rules of code on the patch path (ARCHITECTURE.md, "The patch path in the serving
 * JVM"), checked on the compiled main classes of the agent jar (atlas-core, atlas-libc, the
 * format and the agent):
 * <ol>
 *   <li>no class of the agent jar concatenates strings through {@code invokedynamic}
 *       ({@code StringConcatFactory}): its first run spins LambdaForm classes, so those
 *       modules are compiled with {@code -XDstringConcat=inline}, and this fails if one is
 *       not;</li>
 *   <li>the classes that run at the patch instant (the agent's commands, reading and
 *       verifying the patch file, preparing, pre-linking and applying it, the pipeline,
 *       and atlas-core: migration, its report, the space's description) use no stream
 *       pipeline and no regex ({@code java.util.stream}, {@code java.util.regex},
 *       {@code String.matches/split/replaceAll/replaceFirst}), which load and compile JDK
 *       code there and throw away the application's compiled JDK code;</li>
 *   <li>the same classes contain no lambda, method reference or pattern {@code switch}
 *       ({@code invokedynamic} bootstrapped by {@code LambdaMetafactory} or
 *       {@code SwitchBootstraps}): each call site links at its first run, spinning a hidden
 *       class and LambdaForms; a class that implements the interface links nothing;</li>
 *   <li>the records and listeners of {@code dev.atlas.core.observe} depend on no other
 *       package of atlas-core, so the core's packages depend on it one way.</li>
 * </ol>
 * What a rule cannot see statically (a JDK subsystem's first use, a JDK method's own lambdas)
 * is run once at agent start by {@code PatchPathWarmup}.
 */
class PatchPathRulesTest {
    /** The classes that run between an apply command and its reply (packages end in "..", classes are exact). */
    private static final String[] PATCH_PATH_PACKAGES = {
            "dev.atlas.core", "dev.atlas.core.observe..", "dev.atlas.patch.agent.command..", "dev.atlas.patch.format.."};
    private static final Set<String> PATCH_PATH_CLASSES = Set.of(
            "dev.atlas.patch.runtime.PatchPipeline", "dev.atlas.patch.runtime.PatchPreparer",
            "dev.atlas.patch.runtime.CallSitePrelinker", "dev.atlas.patch.runtime.CodeViews",
            "dev.atlas.patch.runtime.MemberFixups", "dev.atlas.patch.runtime.PreparedPatch",
            "dev.atlas.patch.runtime.AddedClassNames", "dev.atlas.patch.runtime.ViewStaticReads",
            "dev.atlas.patch.classfile.IndyRedirect");
    private static final Set<String> REGEX_METHODS = Set.of("matches", "split", "replaceAll", "replaceFirst");

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = AgentJarClasses.load();
    }

    @Test
    void noClassOfTheAgentJarConcatenatesStringsThroughInvokedynamic() {
        classes().that().resideInAnyPackage("dev.atlas.core..", "dev.atlas.libc..", "dev.atlas.patch..")
                .should(new ArchCondition<JavaClass>("concatenate strings without invokedynamic (-XDstringConcat=inline)") {
                    @Override
                    public void check(JavaClass c, ConditionEvents events) {
                        for (String method : indys(c, Set.of("Ljava/lang/invoke/StringConcatFactory;"))) {
                            events.add(SimpleConditionEvent.violated(c, c.getName() + "." + method
                                    + " concatenates through StringConcatFactory (compile its module with"
                                    + " -XDstringConcat=inline, the parent pom's atlas.stringConcat)"));
                        }
                    }
                })
                .check(classes);
    }

    @Test
    void thePatchPathUsesNoStreamsAndNoRegex() {
        noClasses().that(ON_PATCH_PATH)
                .should().dependOnClassesThat().resideInAnyPackage("java.util.stream..", "java.util.regex..")
                .orShould().callMethodWhere(REGEX_CALL)
                .check(classes);
    }

    @Test
    void thePatchPathLinksNoLambdaOrSwitchCallSite() {
        classes().that(ON_PATCH_PATH)
                .should(new ArchCondition<JavaClass>("contain no lambda, method reference or pattern switch (invokedynamic)") {
                    @Override
                    public void check(JavaClass c, ConditionEvents events) {
                        for (String site : indys(c, LINKING_BOOTSTRAPS)) {
                            events.add(SimpleConditionEvent.violated(c, c.getName() + "." + site
                                    + ": a call site linked at its first run, at the patch instant (use a named class)"));
                        }
                    }
                })
                .check(classes);
    }

    @Test
    void observeDependsOnNoOtherPackageOfTheCore() {
        noClasses().that().resideInAPackage("dev.atlas.core.observe..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.atlas.core", "dev.atlas.core.quiescence..",
                        "dev.atlas.core.reclaim..")
                .check(classes);
    }

    @Test
    void thePatchPathClassesExist() {
        // a rename must not leave the rule above with nothing to check
        for (String name : PATCH_PATH_CLASSES) {
            assertTrue(classes.contain(name), name + " is not among the agent jar's classes");
        }
    }

    private static final DescribedPredicate<JavaClass> ON_PATCH_PATH =
            new DescribedPredicate<>("run at the patch instant") {
                @Override
                public boolean test(JavaClass c) {
                    JavaClass top = c;
                    while (top.getEnclosingClass().isPresent()) {
                        top = top.getEnclosingClass().get();
                    }
                    return PATCH_PATH_CLASSES.contains(top.getName()) || inPatchPathPackage(c.getPackageName());
                }
            };

    private static boolean inPatchPathPackage(String pkg) {
        for (String p : PATCH_PATH_PACKAGES) {
            boolean withSubs = p.endsWith("..");
            String base = withSubs ? p.substring(0, p.length() - 2) : p;
            if (pkg.equals(base) || (withSubs && pkg.startsWith(base + "."))) {
                return true;
            }
        }
        return false;
    }

    private static final DescribedPredicate<JavaCall<?>> REGEX_CALL =
            new DescribedPredicate<>("String.matches/split/replaceAll/replaceFirst (a regex)") {
                @Override
                public boolean test(JavaCall<?> call) {
                    return call.getTargetOwner().isEquivalentTo(String.class) && REGEX_METHODS.contains(call.getName());
                }
            };

    /** The bootstrap classes of call sites that spin classes or LambdaForms when first linked. */
    private static final Set<String> LINKING_BOOTSTRAPS = Set.of("Ljava/lang/invoke/LambdaMetafactory;",
            "Ljava/lang/runtime/SwitchBootstraps;", "Ljava/lang/invoke/StringConcatFactory;");

    /** The methods of {@code c} with an invokedynamic bootstrapped by one of {@code bootstraps} (descriptors). */
    private static Set<String> indys(JavaClass c, Set<String> bootstraps) {
        Optional<com.tngtech.archunit.core.domain.Source> source = c.getSource();
        if (source.isEmpty()) {
            throw new IllegalStateException("no class file for " + c.getName());
        }
        ClassModel model;
        try (InputStream in = source.get().getUri().toURL().openStream()) {
            model = ClassFile.of().parse(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Set<String> found = new java.util.TreeSet<>();
        for (MethodModel m : model.methods()) {
            if (m.code().isEmpty()) {
                continue;
            }
            for (CodeElement e : m.code().get()) {
                if (e instanceof InvokeDynamicInstruction indy
                        && bootstraps.contains(indy.bootstrapMethod().owner().descriptorString())) {
                    found.add(m.methodName().stringValue());
                }
            }
        }
        return found;
    }
}
