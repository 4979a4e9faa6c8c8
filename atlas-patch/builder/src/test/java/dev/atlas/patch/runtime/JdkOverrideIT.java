package dev.atlas.patch.runtime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * New overrides of JDK methods (Object.toString, Object.equals, the default method
 * Collection.removeIf) on loaded classes, end to end in a child JVM started with a test agent
 * (retransforming java.lang.Object is only ever tried in a JVM of its own):
 * {@link JdkOverrideChild} lists the checks.
 */
class JdkOverrideIT {
    @Test
    void jdkCodeReachesANewOverrideInTheNewViewOnlyAndRollbackRestores(@TempDir Path tmp) throws Exception {
        Path agent = tmp.resolve("test-agent.jar");
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().putValue("Premain-Class", JdkOverrideTestAgent.class.getName());
        mf.getMainAttributes().putValue("Can-Retransform-Classes", "true");
        mf.getMainAttributes().putValue("Can-Redefine-Classes", "true");
        try (OutputStream out = Files.newOutputStream(agent); JarOutputStream jar = new JarOutputStream(out, mf)) {
            jar.flush();
        }
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(List.of(java.toString(), "-javaagent:" + agent, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), JdkOverrideChild.class.getName(), tmp.toString()))
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), output);
        assertEquals(0, p.exitValue(), output);
        assertTrue(output.contains("OK "), output);
        assertTrue(!output.contains("FAIL"), output);
    }

}
