package dev.atlas.demo.command;

import dev.atlas.cli.CliRun;
import dev.atlas.cli.patch.it.TestAgentJar;
import dev.atlas.demo.run.DemoArtifacts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One short {@code atlas demo} through the command, all four modes (the control run first), on the builds the reactor
 * compiled (class directories; the agents packed into jars here, since {@code mvn test} does
 * not package). Asserts what the demo shows, never timings.
 */
class PatchDemoEndToEndIT {
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    @TempDir
    Path tmp;

    @Test
    void shortDemoComparesTheModesWithTheControlRunAndAtlasNeitherFailsNorMixesVersions() throws IOException {
        CommandLine cl = commandOnReactorBuilds();
        Path png = tmp.resolve("chart/latency.png");

        CliRun r = CliRun.of(cl, "--quick", "--warmup", "1s", "--steady", "1s", "--after", "2s",
                "--change-window", "1s", "--rate", "200", "--connections", "16", "--out", tmp.resolve("out").toString(),
                "--png", png.toString());

        assertEquals(0, r.exitCode(), r::toString);
        String out = r.out();
        for (String mode : List.of("control", "atlas", "hotswap", "restart")) {
            assertTrue(Pattern.compile("(?m)^" + mode + " +steady ").matcher(out).find(), mode + " row missing:\n" + out);
        }
        assertTrue(out.contains("applied with 'atlas patch apply <pid> <patch> --raw' run inside the demo's JVM"), out);
        assertTrue(out.contains("atlas: patch "), "the command's own report is quoted:\n" + out);
        Matcher atlas = Pattern.compile("(?s)  atlas: .*?version tags over the run: (\\d+) all-v1, (\\d+) all-v2, (\\d+) mixed,"
                + " \\d+ untagged; (\\d+) failed requests").matcher(out);
        assertTrue(atlas.find(), out);
        assertTrue(Long.parseLong(atlas.group(2)) > 0, "no request ran v2 after the patch:\n" + out);
        assertEquals("0", atlas.group(3), "Atlas mixed versions:\n" + out);
        assertEquals("0", atlas.group(4), "Atlas failed requests:\n" + out);
        assertTrue(Pattern.compile("(?m)^atlas +v2, whole change .* yes +yes$").matcher(out).find(),
                "bug fix and new state live after the Atlas patch:\n" + out);
        Matcher control = Pattern.compile("(?s)  control: .*?version tags over the run: (\\d+) all-v1, (\\d+) all-v2,").matcher(out);
        assertTrue(control.find(), out);
        assertEquals("0", control.group(2), "the control run applies nothing:\n" + out);
        assertTrue(Pattern.compile("(?m)^control +nothing \\(control\\) .* no +no$").matcher(out).find(),
                "the control run's service stays v1:\n" + out);
        assertTrue(Pattern.compile("(?s)  atlas: .*?against the control run \\(nothing applied at T\\)").matcher(out).find(),
                "Atlas's change window is set beside the control run's:\n" + out);
        assertTrue(out.contains("Latency chart: " + png), out);
        byte[] head = Arrays.copyOf(Files.readAllBytes(png), PNG_SIGNATURE.length);
        assertArrayEquals(PNG_SIGNATURE, head, "not a PNG: " + png);
    }

    @Test
    void repeatedRoundsReportMediansAtlasAgainstItsTargetAndTheControlAndKeepEachRoundsFiles() throws IOException {
        CommandLine cl = commandOnReactorBuilds();
        Path out = tmp.resolve("out");
        Path png = tmp.resolve("chart/latency.png");

        CliRun r = CliRun.of(cl, "--quick", "--warmup", "1s", "--steady", "1s", "--after", "2s",
                "--change-window", "1s", "--rate", "200", "--connections", "16", "--modes", "control,atlas",
                "--rounds", "2", "--out", out.toString(), "--png", png.toString());

        assertEquals(0, r.exitCode(), r::toString);
        String text = r.out();
        assertTrue(text.contains("Patch demo repeated: 2 round(s) of control, atlas"), text);
        for (String mode : List.of("control", "atlas")) {
            Matcher row = Pattern.compile("(?m)^" + mode + " +2  .* (\\d+) +(\\d+)$").matcher(text);
            assertTrue(row.find(), mode + " summary row missing:\n" + text);
            if (mode.equals("atlas")) {
                assertEquals("0", row.group(1), "Atlas failed requests over the rounds:\n" + text);
                assertEquals("0", row.group(2), "Atlas mixed versions over the rounds:\n" + text);
            }
        }
        assertTrue(Pattern.compile("(?m)^  round 1: control .*, atlas ").matcher(text).find(), text);
        assertTrue(Pattern.compile("(?m)^  round 2: control .*, atlas ").matcher(text).find(), text);
        assertTrue(Pattern.compile("Atlas against its target \\(change-window p99\\.9 <= x1\\.1 of its steady p99\\.9\\):"
                + " median x[0-9.]+ over 2 round\\(s\\): (met|NOT met) in median; met in [0-2] of 2 round\\(s\\)\\.").matcher(text).find(), text);
        assertTrue(text.contains("Atlas against the control run of the same round (nothing applied at T)"), text);
        assertTrue(Pattern.compile("(?m)^atlas +steady ").matcher(text).find(), "the representative round in full:\n" + text);
        for (int round = 1; round <= 2; round++) {
            for (String file : List.of("control-load.csv", "atlas-load.csv", "latency.png")) {
                assertTrue(Files.isRegularFile(out.resolve("round-" + round).resolve(file)), "round " + round + " " + file);
            }
        }
        byte[] head = Arrays.copyOf(Files.readAllBytes(png), PNG_SIGNATURE.length);
        assertArrayEquals(PNG_SIGNATURE, head, "the representative round's chart is not at " + png);
    }

    /** {@code atlas demo} on the reactor's builds ({@link #builds}). */
    private CommandLine commandOnReactorBuilds() throws IOException {
        DemoArtifacts builds = builds(RepositoryRoot.locate(), tmp);
        return new CommandLine(new PatchDemoCommand(root -> builds));
    }

    /** The service builds as compiled by the reactor, the Atlas and HotSwap agents packed into jars. */
    private static DemoArtifacts builds(Path root, Path tmp) throws IOException {
        Path demo = root.resolve("atlas-demo");
        Path hotSwapAgent = tmp.resolve("hotswap-agent.jar");
        TestAgentJar.pack(hotSwapAgent, Map.of("Premain-Class", "dev.atlas.demo.hotswap.HotSwapAgent",
                "Can-Redefine-Classes", "true"), List.of(demo.resolve("hotswap-agent/target/classes")));
        return new DemoArtifacts(demo.resolve("service-v1/target/classes"), demo.resolve("service-v2/target/classes"),
                demo.resolve("service-v2-hotswap/target/classes"), hotSwapAgent, TestAgentJar.get(),
                tmp.resolve("no-patch-trigger.jar"));   // the Atlas mode applies through the CLI, not the trigger
    }
}
