package dev.atlas.corpus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code ./atlas corpus}: runs the release corpus and writes {@code docs/release-corpus.md}.
 *
 * {@snippet lang=text :
 * ./atlas corpus                          # every pair of corpus.txt (long: about an hour here)
 * ./atlas corpus --fast                   # the CI subset
 * ./atlas corpus --only commons-text      # pairs whose id contains the text (repeatable)
 * ./atlas corpus --out /tmp/corpus.md     # elsewhere than docs/release-corpus.md
 * ./atlas corpus --fast --tests '.*\.Md5CryptTest'   # only test classes matching (old, new, reference)
 * ./atlas corpus --build-only             # step (1) only: which pairs build, and the refusals
 * }
 *
 * <p>Needs the CLI and the agent built ({@code ./atlas corpus} builds them) and Maven Central
 * (the releases and their test class paths are fetched by the Maven wrapper into the local
 * repository; the work files go to {@code target/corpus}).
 */
public final class CorpusMain {
    private CorpusMain() {
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(System.getProperty("atlas.root", ".")).toAbsolutePath().normalize();
        boolean fast = false;
        List<String> only = new ArrayList<>();
        Path out = root.resolve("docs/release-corpus.md");
        Duration timeout = Duration.ofMinutes(20);
        String tests = null;
        boolean buildOnly = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--fast" -> fast = true;
                case "--build-only" -> buildOnly = true;
                case "--only" -> only.add(value(args, ++i, "--only"));
                case "--out" -> out = Path.of(value(args, ++i, "--out"));
                case "--tests" -> tests = value(args, ++i, "--tests");
                case "--suite-timeout-min" -> timeout = Duration.ofMinutes(Long.parseLong(value(args, ++i, "--suite-timeout-min")));
                default -> {
                    System.err.println("atlas corpus: unknown argument '" + args[i]
                            + "' (expected --fast, --build-only, --only <text>, --out <file>, --suite-timeout-min <n>, --tests <regex>)");
                    System.exit(2);
                }
            }
        }
        List<ReleasePair> pairs = new ArrayList<>();
        for (ReleasePair p : ReleasePair.corpus()) {
            if ((!fast || p.fast()) && (only.isEmpty() || only.stream().anyMatch(o -> p.id().contains(o)))) {
                pairs.add(p);
            }
        }
        List<PairResult> results = run(root, pairs, timeout, tests, buildOnly, System.out);
        StringBuilder cmd = new StringBuilder("./atlas corpus");
        for (String a : args) {
            cmd.append(' ').append(a);
        }
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, CorpusReport.render(results, cmd.toString(), machine()));
        System.out.println(CorpusReport.headline(results));
        System.out.println("wrote " + out);
    }

    /**
     * Runs {@code pairs} one after another, printing one line per pair.
     *
     * @param testFilter null, or a regular expression the test classes of every suite must match
     * @param buildOnly whether to stop after building each patch (no JVM runs, no pair passes)
     */
    static List<PairResult> run(Path root, List<ReleasePair> pairs, Duration suiteTimeout, String testFilter,
                                boolean buildOnly, java.io.PrintStream log)
            throws IOException, InterruptedException {
        Path work = root.resolve("target/corpus");
        Path cliJar = root.resolve("atlas-cli/target/atlas-cli.jar");
        Path agentJar = agentJar(root).orElseThrow(() -> new IOException(
                root.resolve("atlas-patch/agent/target/atlas-agent.jar") + " is missing: build first (./atlas build)"));
        if (!Files.exists(cliJar)) {
            throw new IOException(cliJar + " is missing: build first (./atlas build)");
        }
        Path runnerClasses;
        try {
            runnerClasses = Path.of(CorpusMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IOException("cannot locate the harness's own classes: " + e.getMessage(), e);
        }
        PairRunner runner = new PairRunner(new ReleaseResolver(root, work.resolve("releases")), new CliDriver(cliJar, agentJar),
                runnerClasses, work.resolve("pairs"), suiteTimeout, testFilter, buildOnly);
        List<PairResult> results = new ArrayList<>();
        for (ReleasePair p : pairs) {
            log.println("corpus: " + p.id() + " ...");
            PairResult r = runner.run(p);
            results.add(r);
            log.println("corpus: " + p.id() + ": " + (r.passed() ? "pass" : "FAIL") + (r.passed() ? "" : " " + CorpusReport.reasons(r)
                    .stream().limit(3).toList()));
        }
        return results;
    }

    /** The agent jar where the build puts it ({@code atlas-patch/agent/target/atlas-agent.jar}). */
    static Optional<Path> agentJar(Path root) {
        Path jar = root.resolve("atlas-patch/agent/target/atlas-agent.jar");
        return Files.exists(jar) ? Optional.of(jar) : Optional.empty();
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            System.err.println("atlas corpus: " + option + " needs a value");
            System.exit(2);
        }
        return args[i];
    }

    private static String machine() {
        return Runtime.getRuntime().availableProcessors() + " CPUs, " + System.getProperty("os.name") + " "
                + System.getProperty("os.version") + ", JDK " + System.getProperty("java.version");
    }
}
