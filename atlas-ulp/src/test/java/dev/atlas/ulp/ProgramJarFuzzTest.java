package dev.atlas.ulp;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.atlas.ulp.load.ProgramClassPath;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Fuzz tests of the jars a client names for {@code atlas run}, read by the host as
 * {@link ProgramHost#launch} reads them before any of the program's code runs: the manifest
 * ({@code Main-Class}, {@code Class-Path} entries followed as {@code java} follows them) and
 * the jar file itself. A jar may only be refused with a {@link LaunchException} (the
 * client sees {@code java}'s message) or, from {@link ProgramClassPath#open}, an
 * {@link IOException} (which {@code launch} turns into one); anything else escaping is a finding.
 *
 * <p>Regression mode in every build (inputs under
 * {@code src/test/resources/dev/atlas/ulp/ProgramJarFuzzTestInputs/<method>/}); a fuzzing run,
 * one method at a time:
 * {@snippet lang=shell :
 * JAZZER_FUZZ=1 ./mvnw -B -ntp -pl atlas-ulp -am verify -Djazzer.hooks=true \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dtest='ProgramJarFuzzTest#manifest'
 * }
 */
class ProgramJarFuzzTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void setUp() throws IOException {
        Files.createDirectories(dir.resolve("lib"));
        writeJar(dir.resolve("lib/dep.jar"), "Manifest-Version: 1.0\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** {@code META-INF/MANIFEST.MF} of an otherwise well-formed jar (next to {@code lib/dep.jar}). */
    @FuzzTest(maxDuration = "10m")
    void manifest(byte[] manifest) throws IOException {
        Path jar = dir.resolve("app.jar");
        writeJar(jar, manifest);
        readAsTheHostDoes(jar);
    }

    /** The jar file's bytes as they are on disk. */
    @FuzzTest(maxDuration = "10m")
    void jarFile(byte[] bytes) throws IOException {
        Path jar = dir.resolve("raw.jar");
        Files.write(jar, bytes);
        readAsTheHostDoes(jar);
    }

    private static void readAsTheHostDoes(Path jar) {
        try (ProgramClassPath path = ProgramClassPath.open(List.of(jar))) {
            try {
                ProgramHost.mainClassOf(jar, path.firstManifest());
            } catch (LaunchException refused) {
                // "no main manifest attribute"
            }
            path.asClassPathProperty();
            path.fingerprint();
            path.find("Main.class");
        } catch (IOException refused) {
            // launch: "Error: Invalid or corrupt jarfile"
        }
    }

    private static void writeJar(Path jar, byte[] manifest) throws IOException {
        try (OutputStream file = Files.newOutputStream(jar); ZipOutputStream zip = new ZipOutputStream(file)) {
            zip.putNextEntry(new ZipEntry("META-INF/MANIFEST.MF"));
            zip.write(manifest);
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry("Main.class"));
            zip.write(new byte[] {(byte) 0xca, (byte) 0xfe, (byte) 0xba, (byte) 0xbe});
            zip.closeEntry();
        }
    }
}
