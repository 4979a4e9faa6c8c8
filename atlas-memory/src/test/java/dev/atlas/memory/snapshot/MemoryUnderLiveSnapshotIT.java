package dev.atlas.memory.snapshot;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * Memory closed under a live snapshot, in every way the API allows, each in a child JVM so
 * that a crash of the native handler fails the test (exit code, hs_err file) instead of
 * killing the test runner.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MemoryUnderLiveSnapshotIT {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"shared-arena-closed", "shared-arena-closed-background", "confined-arena",
            "global-scope-unmapped", "space-segment-view-retired", "space-segment-space-closed",
            "space-region-view-retired", "space-region-space-closed"})
    void neitherCrashesNorLeavesTheSnapshotBroken(String scenario) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path out = dir.resolve("out.txt");
        Process p = new ProcessBuilder(java.toString(), "--enable-native-access=ALL-UNNAMED", "-Xmx64m",
                "-XX:TieredStopAtLevel=1", "-XX:ErrorFile=" + dir.resolve("hs_err_pid%p.log"),
                "-cp", System.getProperty("java.class.path"), MemoryUnderLiveSnapshot.class.getName(), scenario)
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        boolean ended = p.waitFor(90, TimeUnit.SECONDS);
        if (!ended) {
            p.destroyForcibly().waitFor();
        }
        String output = Files.readString(out, StandardCharsets.UTF_8);
        List<Path> crashes;
        try (Stream<Path> files = Files.list(dir)) {
            crashes = files.filter(f -> f.getFileName().toString().startsWith("hs_err")).toList();
        }
        assertTrue(crashes.isEmpty(), "the JVM crashed (" + crashes + "):" + File.separator + output);
        assertTrue(ended, "the child JVM hung:\n" + output);
        assumeFalse(output.startsWith("SKIP"), output);
        assertEquals(0, p.exitValue(), "exit code; output:\n" + output);
        assertTrue(output.contains("PASS " + scenario), output);
    }
}
