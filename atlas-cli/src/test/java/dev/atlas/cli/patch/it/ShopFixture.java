package dev.atlas.cli.patch.it;

import dev.atlas.cli.CliRun;
import dev.atlas.testsupport.Await;
import dev.atlas.patch.agent.command.CommandReply;
import dev.atlas.patch.format.MalformedPatchException;
import dev.atlas.patch.format.Patch;
import dev.atlas.patch.format.PatchFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Built once per test JVM: both versions of {@link ShopApp}, the v1 -> v2 patch ("fix") and
 * a patch built for other class versions (v2 -> v1), both by {@code atlas patch build}, and
 * the agent jar; plus helpers to run {@code atlas} against the application.
 */
final class ShopFixture {
    static final String V1 = "v1-v1-v1";
    static final String V2 = "v2-v2-v2";
    /** A /tag response as the tagged load files it ({@link dev.atlas.testsupport.TaggedLoad#outcomes}). */
    static final String TAG_V1 = "v1";
    static final String TAG_V2 = "v2";

    final Path dir;
    final Path v1;
    final Path v2;
    final Path fix;
    final Patch fixPatch;
    final Path otherVersions;
    final Path agentJar;

    private static ShopFixture instance;

    private ShopFixture() throws IOException {
        dir = Files.createTempDirectory("atlas-it");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir), "atlas-it-cleanup"));
        v1 = ShopApp.compile("v1", dir.resolve("v1"));
        v2 = ShopApp.compile("v2", dir.resolve("v2"));
        fix = build(v1, v2, "fix.atlaspatch", "v1 -> v2");
        fixPatch = read(fix);
        otherVersions = build(v2, v1, "other-versions.atlaspatch", "v2 -> v1 (built for other class versions)");
        agentJar = TestAgentJar.get();
    }

    /** {@code atlas patch build <old> <new> -o <dir/name> --include acme.shop.**}. */
    private Path build(Path oldBuild, Path newBuild, String name, String description) {
        Path out = dir.resolve(name);
        CliRun r = CliRun.atlas("patch", "build", oldBuild.toString(), newBuild.toString(), "-o", out.toString(),
                "--include", "acme.shop.**", "-m", description);
        if (r.exitCode() != 0) {
            throw new IllegalStateException("atlas patch build failed: " + r);
        }
        return out;
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | UncheckedIOException ignored) {
            // best effort, at exit
        }
    }

    static Patch read(Path patch) throws IOException {
        try {
            return PatchFile.read(patch);
        } catch (MalformedPatchException e) {
            throw new IllegalStateException(e);
        }
    }

    static synchronized ShopFixture get() {
        if (instance == null) {
            try {
                instance = new ShopFixture();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return instance;
    }

    /** JVM flags for the application with the agent at start-up. */
    String[] javaagent() {
        return new String[] {"-javaagent:" + agentJar + "=include=acme.shop.**", "-XX:+EnableDynamicAgentLoading"};
    }

    /** {@code atlas <subcommand...> --agent-jar <jar> <args...>}. */
    CliRun atlas(List<String> subcommand, String... args) {
        List<String> all = new ArrayList<>(subcommand);
        all.add("--agent-jar");
        all.add(agentJar.toString());
        all.addAll(List.of(args));
        return CliRun.atlas(all.toArray(String[]::new));
    }

    /** {@code atlas status <pid> --raw}, parsed. */
    CommandReply status(AppProcess app) {
        CliRun r = atlas(List.of("status"), Long.toString(app.pid()), "--raw");
        assertEquals(0, r.exitCode(), r::toString);
        return CommandReply.parse(r.out(), "atlas status");
    }

    /**
     * {@link #status}, once the agent's own patch-path warm-up has ended (its view retired, no
     * migration running), so that a test comparing a status before and after its own commands
     * sees only what those commands did.
     */
    CommandReply settledStatus(AppProcess app) {
        CommandReply[] last = {null};
        Await.until(() -> "the agent's warm-up to end; last status: " + last[0], Await.BOUND, () -> {
            CommandReply s = last[0] = status(app);
            return "0".equals(s.field("running-migrations")) && !s.text().contains("atlas-warmup");
        });
        return last[0];
    }

    static CommandReply reply(CliRun r) {
        return CommandReply.parse(r.out(), "atlas reply");
    }
}
