package dev.atlas.corpus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

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
 * ./atlas corpus --judge "codec 1.17"     # every pair built, only those whose id contains the text judged (repeatable)
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
        List<String> judge = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--fast" -> fast = true;
                case "--build-only" -> buildOnly = true;
                case "--only" -> only.add(value(args, ++i, "--only"));
                case "--judge" -> judge.add(value(args, ++i, "--judge"));
                case "--out" -> out = Path.of(value(args, ++i, "--out"));
                case "--tests" -> tests = value(args, ++i, "--tests");
                case "--suite-timeout-min" -> timeout = Duration.ofMinutes(Long.parseLong(value(args, ++i, "--suite-timeout-min")));
                default -> {
                    System.err.println("atlas corpus: unknown argument '" + args[i]
                            + "' (expected --fast, --build-only, --only <text>, --judge <text>, --out <file>, --suite-timeout-min <n>, --tests <regex>)");
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
        boolean none = buildOnly;
        Predicate<ReleasePair> judged = p -> !none && (judge.isEmpty() || judge.stream().anyMatch(j -> p.id().contains(j)));
        StringBuilder cmd = new StringBuilder("./atlas corpus");
        for (String a : args) {
            cmd.append(' ').append(a);
        }
        Files.createDirectories(out.toAbsolutePath().getParent());
        Path doc = out;
        // written after every pair, so that a run stopped early leaves a document that names the pairs it did not reach
        List<PairResult> results = run(root, pairs, timeout, tests, judged, System.out, done -> {
            try {
                Files.writeString(doc, CorpusReport.render(done, cmd.toString(), machine(), pairs.subList(done.size(), pairs.size())));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        System.out.println(CorpusReport.headline(results));
        System.out.println("wrote " + out);
    }

    /**
     * Runs {@code pairs} one after another, printing one line per pair.
     *
     * @param testFilter null, or a regular expression the test classes of every suite must match
     * @param judged the pairs to judge (steps 2 and 3); the others stop after building their patch
     *               (no JVM runs, reported as not judged)
     * @param afterEachPair given the results so far after every pair
     */
    static List<PairResult> run(Path root, List<ReleasePair> pairs, Duration suiteTimeout, String testFilter,
                                Predicate<ReleasePair> judged, java.io.PrintStream log,
                                java.util.function.Consumer<List<PairResult>> afterEachPair)
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
                runnerClasses, work.resolve("pairs"), suiteTimeout, testFilter, judged);
        List<PairResult> results = new ArrayList<>();
        for (ReleasePair p : pairs) {
            log.println("corpus: " + p.id() + " ...");
            PairResult r = runner.run(p);
            results.add(r);
            log.println("corpus: " + p.id() + ": " + (r.passed() ? "pass" : r.notJudged() ? "built, not judged" : "FAIL") + (r.passed() ? "" : " " + CorpusReport.reasons(r)
                    .stream().limit(3).toList()));
            afterEachPair.accept(List.copyOf(results));
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
