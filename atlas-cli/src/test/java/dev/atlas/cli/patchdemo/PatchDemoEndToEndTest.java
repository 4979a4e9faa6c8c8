package dev.atlas.cli.patchdemo;

import dev.atlas.cli.AtlasCommand;
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
class PatchDemoEndToEndTest {
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    @TempDir
    Path tmp;

    @Test
    void shortDemoComparesTheModesWithTheControlRunAndAtlasNeitherFailsNorMixesVersions() throws IOException {
        DemoArtifacts builds = builds(RepositoryRoot.locate(), tmp);
        CommandLine cl = new CommandLine(new AtlasCommand(), new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> type) throws Exception {
                return type == PatchDemoCommand.class ? type.cast(new PatchDemoCommand(root -> builds))
                        : CommandLine.defaultFactory().create(type);
            }
        });
        Path png = tmp.resolve("chart/latency.png");

        CliRun r = CliRun.of(cl, "demo", "--quick", "--warmup", "1s", "--steady", "1s", "--after", "2s",
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
