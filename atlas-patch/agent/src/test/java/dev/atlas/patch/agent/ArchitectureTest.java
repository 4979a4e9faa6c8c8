package dev.atlas.patch.agent;

import com.tngtech.archunit.core.domain.JavaClasses;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The dependency rules of the patch modules, checked on their compiled main classes (the
 * agent's, the format's, atlas-core's and atlas-libc's, all on this module's test class path):
 * <ol>
 *   <li>nothing that ships in {@code atlas-agent.jar} (the agent, the format, atlas-core)
 *       depends on the patch builder, the CLI, picocli or the demo;</li>
 *   <li>the format depends on neither the agent nor the builder (both build on it);</li>
 *   <li>atlas-core depends on no patch package (code views plug into the core, not the
 *       other way round);</li>
 *   <li>atlas-libc depends on nothing of Atlas (memory, spaces and the agent's JIT window all
 *       build on it), and nothing in the agent jar reaches atlas-memory;</li>
 *   <li>no package cycles: among the packages of the agent jar (each package, sub-packages
 *       apart, is one slice) dependencies point one way, e.g. {@code agent -> agent.command
 *       -> agent.install -> warmup -> instrument -> runtime}.</li>
 * </ol>
 * The builder's own rule (it does not depend on the agent) is checked by Maven: the agent is
 * only a test-scope dependency of the builder module, so main code that used it would not
 * compile.
 */
class ArchitectureTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = AgentJarClasses.load();
    }

    @Test
    void agentJarCodeDependsOnNoBuilderCliOrDemo() {
        noClasses().that().resideInAnyPackage("dev.atlas.core..", "dev.atlas.patch..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.atlas.patch.build..", "dev.atlas.cli..",
                        "dev.atlas.demo..", "picocli..")
                .check(classes);
    }

    @Test
    void formatDependsOnNeitherAgentNorBuilder() {
        noClasses().that().resideInAnyPackage("dev.atlas.patch.format..", "dev.atlas.patch.classfile..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.atlas.patch.agent..",
                        "dev.atlas.patch.instrument..", "dev.atlas.patch.runtime..", "dev.atlas.patch.shadow..",
                        "dev.atlas.patch.jit..", "dev.atlas.patch.variant..", "dev.atlas.patch.build..", "dev.atlas.core..")
                .check(classes);
    }

    @Test
    void coreDependsOnNoPatchPackage() {
        noClasses().that().resideInAPackage("dev.atlas.core..")
                .should().dependOnClassesThat().resideInAPackage("dev.atlas.patch..")
                .check(classes);
    }

    @Test
    void libcDependsOnNothingOfAtlasAndTheAgentJarNotOnMemory() {
        noClasses().that().resideInAPackage("dev.atlas.libc..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.atlas.core..", "dev.atlas.patch..",
                        "dev.atlas.memory..", "dev.atlas.spaces..")
                .check(classes);
        noClasses().that().resideInAnyPackage("dev.atlas.core..", "dev.atlas.libc..", "dev.atlas.patch..")
                .should().dependOnClassesThat().resideInAPackage("dev.atlas.memory..")
                .check(classes);
    }

    @Test
    void agentJarPackagesAreFreeOfCycles() {
        slices().matching("dev.atlas.(**)").should().beFreeOfCycles().check(classes);
    }
}
