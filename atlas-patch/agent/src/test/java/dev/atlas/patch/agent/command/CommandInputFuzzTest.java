package dev.atlas.patch.agent.command;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.atlas.patch.agent.AgentOptions;
import dev.atlas.patch.instrument.BoundaryMatcher;
import dev.atlas.patch.instrument.ClassSelector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Fuzz tests of what the agent reads from outside: its options (from {@code -javaagent:...=}
 * or an attach request), the command request file and the reply file the CLI reads back.
 * Each may only refuse with {@link IllegalArgumentException} naming the value (or
 * {@link IOException} for I/O); anything else is a finding. What parses is checked to mean
 * the same after a round trip.
 *
 * <p>Regression mode in every build (inputs under
 * {@code src/test/resources/dev/atlas/patch/agent/command/CommandInputFuzzTestInputs/<method>/});
 * a fuzzing run, one method at a time:
 * {@snippet lang=shell :
 * JAZZER_FUZZ=1 ./mvnw -B -ntp -pl atlas-patch/agent -am verify -Djazzer.hooks=true \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dtest='CommandInputFuzzTest#agentOptions'
 * }
 */
class CommandInputFuzzTest {
    private static Path dir;

    @BeforeAll
    static void setUp() throws IOException {
        dir = Files.createTempDirectory("atlas-fuzz-cmd",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }

    @AfterAll
    static void tearDown() throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** What {@code AtlasAgent.install} does with its options before it touches a class. */
    @FuzzTest(maxDuration = "10m")
    void agentOptions(byte[] text) {
        String options = new String(text, StandardCharsets.UTF_8);
        AgentOptions o;
        try {
            o = AgentOptions.parse(options);
            new ClassSelector(o.includes(), o.excludes());
            new BoundaryMatcher(o.boundaries());
        } catch (IllegalArgumentException refused) {
            return;
        }
        assertEquals(o, AgentOptions.parse(String.join(",", "include=" + String.join(";", o.includes()),
                "exclude=" + String.join(";", o.excludes()), "boundary=" + (o.boundaries().isEmpty() ? "none"
                        : String.join(";", o.boundaries())), "warmup=" + o.warmup(),
                "jitPriority=" + o.jitPriority())), () -> "options '" + options + "' do not round-trip");
    }

    /** {@code request.properties} as the agent reads it from the command directory. */
    @FuzzTest(maxDuration = "10m")
    void commandRequest(byte[] file) throws IOException {
        Files.write(dir.resolve(CommandRequest.FILE), file);
        CommandRequest r;
        try {
            r = CommandRequest.read(dir);
        } catch (IllegalArgumentException refused) {
            return;
        }
        r.write(dir);
        assertEquals(r, CommandRequest.read(dir), "a request that was read must write back to itself");
    }

    /** {@code reply.txt} as the CLI reads it back from the agent. */
    @FuzzTest(maxDuration = "10m")
    void commandReply(byte[] file) {
        try {
            CommandReply.parse(new String(file, StandardCharsets.UTF_8), "fuzz");
        } catch (IllegalArgumentException refused) {
            // not a reply
        }
    }
}
