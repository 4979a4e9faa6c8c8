package dev.atlas.patch.agent;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.constantpool.ClassEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged {@code atlas-agent.jar} (run by maven-failsafe-plugin after the package phase):
 * it holds the agent, the patch format, atlas-core and atlas-libc, and nothing of atlas-memory,
 * the patch builder, the CLI (picocli) or the demo; every class a class in it refers to is in it or in the JDK.
 */
class AgentJarIT {
    /** What the agent jar may hold: class files under these packages (and their sub-packages). */
    private static final List<String> ALLOWED = List.of(
            "dev/atlas/core/", "dev/atlas/libc/",
            "dev/atlas/patch/agent/", "dev/atlas/patch/instrument/", "dev/atlas/patch/jit/",
            "dev/atlas/patch/runtime/", "dev/atlas/patch/shadow/", "dev/atlas/patch/variant/", "dev/atlas/patch/warmup/",
            "dev/atlas/patch/format/", "dev/atlas/patch/classfile/");

    private static Path jar;
    private static List<String> classes;

    @BeforeAll
    static void open() throws IOException {
        String path = System.getProperty("atlas.agent.jar");
        assertTrue(path != null, "system property atlas.agent.jar is not set (the pom's failsafe configuration sets it)");
        jar = Path.of(path);
        assertTrue(Files.isRegularFile(jar), "no agent jar at " + jar);
        classes = new ArrayList<>();
        try (JarFile jf = new JarFile(jar.toFile())) {
            for (JarEntry e : Collections.list(jf.entries())) {
                if (e.getName().endsWith(".class")) {
                    classes.add(e.getName());
                }
            }
        }
    }

    @Test
    void manifestNamesTheAgentClassForStartUpAndLateAttach() throws IOException {
        try (JarFile jf = new JarFile(jar.toFile())) {
            Attributes main = jf.getManifest().getMainAttributes();
            assertEquals(AtlasAgent.class.getName(), main.getValue("Premain-Class"));
            assertEquals(AtlasAgent.class.getName(), main.getValue("Agent-Class"));
            assertEquals("true", main.getValue("Can-Retransform-Classes"));
        }
    }

    @Test
    void holdsTheAgentTheFormatAndTheCore() {
        for (String c : List.of("dev/atlas/patch/agent/AtlasAgent.class", "dev/atlas/patch/runtime/CodeViews.class",
                "dev/atlas/patch/format/PatchFile.class", "dev/atlas/patch/classfile/ClassFingerprint.class",
                "dev/atlas/core/ViewSpace.class", "dev/atlas/libc/Downcall.class")) {
            assertTrue(classes.contains(c), c + " missing from " + jar);
        }
    }

    @Test
    void holdsNoBuilderCliOrDemoClass() {
        List<String> foreign = classes.stream()
                .filter(c -> !c.equals("module-info.class") && ALLOWED.stream().noneMatch(c::startsWith))
                .toList();
        assertEquals(List.of(), foreign, "classes outside the agent, the format, atlas-core and atlas-libc in " + jar);
        assertTrue(classes.stream().noneMatch(c -> c.startsWith("dev/atlas/patch/build/")
                || c.startsWith("picocli/") || c.startsWith("dev/atlas/cli/") || c.startsWith("dev/atlas/demo/")
                || c.startsWith("dev/atlas/memory/")));
    }

    @Test
    void everyClassItRefersToIsInTheJarOrTheJdk() throws IOException {
        Set<String> inJar = new TreeSet<>();
        for (String c : classes) {
            inJar.add(c.substring(0, c.length() - ".class".length()));
        }
        Set<String> missing = new TreeSet<>();
        try (JarFile jf = new JarFile(jar.toFile())) {
            for (String c : classes) {
                ClassModel model = ClassFile.of().parse(jf.getInputStream(jf.getEntry(c)).readAllBytes());
                for (var entry : model.constantPool()) {
                    if (entry instanceof ClassEntry ce) {
                        String name = ce.asInternalName();
                        if (name.startsWith("[")) {
                            continue;
                        }
                        if (!inJar.contains(name) && !inJdk(name)) {
                            missing.add(name + " (from " + c + ")");
                        }
                    }
                }
            }
        }
        assertEquals(Set.of(), missing, "classes the agent jar refers to but neither it nor the JDK holds");
    }

    private static boolean inJdk(String internalName) {
        try {
            Class.forName(internalName.replace('/', '.'), false, ClassLoader.getPlatformClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
