package dev.atlas.patch.format;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Fuzz tests of the patch reader: whatever the bytes, {@link PatchFile#read} returns a patch
 * or throws {@link MalformedPatchException} (the documented refusal; {@link IOException} for
 * I/O), and {@link PatchVerifier#open} without trusted signers throws {@link PatchSignatureException}; any
 * other exception or error is a finding. A patch that reads writes back to the same patch.
 *
 * <p>In every build these run in regression mode: each committed input under
 * {@code src/test/resources/dev/atlas/patch/format/PatchFileFuzzTestInputs/<method>/} once.
 * A fuzzing run (one method per run; findings are written into that directory):
 * {@snippet lang=shell :
 * JAZZER_FUZZ=1 ./mvnw -B -ntp -pl atlas-patch/format -am verify -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dtest='PatchFileFuzzTest#readsAPatchFileOrRefusesIt'
 * }
 */
class PatchFileFuzzTest {
    private static Path file;
    private static Map<String, byte[]> sample;

    @BeforeAll
    static void setUp() throws IOException {
        file = Files.createTempFile("atlas-fuzz", ".atlaspatch");
        sample = PatchManifest.entries(PatchFileTest.samplePatch("a sample"));
    }

    @AfterAll
    static void tearDown() throws IOException {
        Files.deleteIfExists(file);
    }

    /** Raw file bytes: the ZIP layer, the limits, the manifest, the class files, the id. */
    @FuzzTest(maxDuration = "10m")
    void readsAPatchFileOrRefusesIt(byte[] data) throws IOException, MalformedPatchException {
        Files.write(file, data);
        Patch p;
        try {
            p = PatchFile.read(file);
        } catch (MalformedPatchException refused) {
            return;
        }
        roundTrips(p);
        try {
            assertEquals(p, PatchVerifier.open(file, null).patch());
        } catch (PatchSignatureException refused) {
            // a signature entry that does not verify
        }
    }

    /**
     * The manifest text alone, with the sample's class entries beside it: the grammar, the
     * model's checks and the id check, past the ZIP layer that raw bytes rarely get through.
     */
    @FuzzTest(maxDuration = "10m")
    void parsesAManifestOrRefusesIt(byte[] manifest) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>(sample);
        entries.put(PatchFile.MANIFEST, manifest);
        Patch p;
        try {
            p = PatchManifest.parse(entries);
        } catch (MalformedPatchException refused) {
            return;
        }
        roundTrips(p);
    }

    /** A body class file: the ClassFile API's lazily parsed parts, through {@link ClassBytesCheck}. */
    @FuzzTest(maxDuration = "10m")
    void checksABodyClassOrRefusesIt(byte[] classFile) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>(sample);
        for (String name : entries.keySet()) {
            if (name.startsWith("body/")) {
                entries.put(name, classFile);
                break;
            }
        }
        try {
            PatchManifest.parse(entries);
        } catch (MalformedPatchException refused) {
            // the expected outcome for almost every input: damaged, or the id no longer matches
        }
    }

    private static void roundTrips(Patch p) throws IOException {
        Path again = Files.createTempFile("atlas-fuzz-again", ".atlaspatch");
        try {
            PatchFile.write(p, again);
            assertEquals(p, PatchFile.read(again), "a patch that was read must write back to itself");
        } catch (MalformedPatchException e) {
            throw new AssertionError("a patch that was read does not read back after writing: "
                    + new String(PatchManifest.entries(p).get(PatchFile.MANIFEST), StandardCharsets.UTF_8), e);
        } finally {
            Files.deleteIfExists(again);
        }
    }
}
