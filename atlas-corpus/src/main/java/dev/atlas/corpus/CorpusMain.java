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
 * ./atlas corpus --report                 # re-render the document from the recorded verdicts, running nothing
 * ./atlas corpus --verdicts DIR           # the verdict records elsewhere than atlas-corpus/verdicts
 * }
 *
 * <p>As it finishes each pair, a run records the pair's verdict ({@link VerdictStore}: one file
 * per pair, with the commit, date, JDK and load it was obtained at), then renders the document
 * from every record of the store, so that the document shows each pair's latest recorded result
 * whichever run obtained it. The store is {@code atlas-corpus/verdicts}; with {@code --out FILE}
 * and no {@code --verdicts}, the directory {@code FILE}'s name without {@code .md} plus
 * {@code .verdicts} beside it (so that a run written elsewhere leaves the committed store alone).
 *
 * <p>Needs the CLI and the agent built ({@code ./atlas corpus} builds them) and Maven Central
 * (the releases and their test class paths are fetched by the Maven wrapper into the local
 * repository; the work files go to {@code target/corpus}).
 */
public final class CorpusMain {
    private CorpusMain() {
    }

    public static void main(String[] args) throws Exception {
        try {
            corpus(args);
        } catch (VerdictStore.CorruptRecordException e) {
            System.err.println("atlas corpus: unreadable verdict record: " + e.getMessage() + "; nothing written");
            System.exit(2);
        }
    }

    private static void corpus(String[] args) throws Exception {
        Path root = Path.of(System.getProperty("atlas.root", ".")).toAbsolutePath().normalize();
        boolean fast = false;
        List<String> only = new ArrayList<>();
        Path out = root.resolve("docs/release-corpus.md");
        Duration timeout = Duration.ofMinutes(20);
        String tests = null;
        boolean buildOnly = false;
        List<String> judge = new ArrayList<>();
        Path verdicts = null;
        boolean outGiven = false;
        boolean report = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--fast" -> fast = true;
                case "--build-only" -> buildOnly = true;
                case "--only" -> only.add(value(args, ++i, "--only"));
                case "--judge" -> judge.add(value(args, ++i, "--judge"));
                case "--out" -> {
                    out = Path.of(value(args, ++i, "--out"));
                    outGiven = true;
                }
                case "--verdicts" -> verdicts = Path.of(value(args, ++i, "--verdicts"));
                case "--report" -> report = true;
                case "--tests" -> tests = value(args, ++i, "--tests");
                case "--suite-timeout-min" -> timeout = Duration.ofMinutes(Long.parseLong(value(args, ++i, "--suite-timeout-min")));
                default -> {
                    System.err.println("atlas corpus: unknown argument '" + args[i]
                            + "' (expected --fast, --build-only, --only <text>, --judge <text>, --out <file>, "
                            + "--verdicts <dir>, --report, --suite-timeout-min <n>, --tests <regex>)");
                    System.exit(2);
                }
            }
        }
        if (verdicts == null) {
            verdicts = outGiven ? besideOut(out) : root.resolve("atlas-corpus/verdicts");
        }
        VerdictStore store = new VerdictStore(verdicts.toAbsolutePath().normalize());
        List<ReleasePair> corpus = ReleasePair.corpus();
        StringBuilder cmd = new StringBuilder("./atlas corpus");
        for (String a : args) {
            cmd.append(' ').append(a);
        }
        Files.createDirectories(out.toAbsolutePath().getParent());
        String source = "Rendered from the verdict records in `" + shown(root, store.dir()) + "` by `" + cmd + "`";
        if (report) {
            List<Verdict> all = inCorpusOrder(store.readAll(), corpus);
            if (all.isEmpty()) {
                System.err.println("atlas corpus: --report: no verdict records (*" + VerdictStore.EXTENSION + ") in "
                        + store.dir() + "; expected the directory a run recorded into (--verdicts DIR); nothing written");
                System.exit(2);
            }
            Files.writeString(out, CorpusReport.renderVerdicts(all, source, List.of(), unrecorded(all, corpus)));
            System.out.println(CorpusReport.headlineOf(all));
            System.out.println("wrote " + out + " from " + all.size() + " record(s) in " + store.dir());
            return;
        }
        store.readAll();   // a corrupt record is reported now, not after hours of running
        List<ReleasePair> pairs = new ArrayList<>();
        for (ReleasePair p : corpus) {
            if ((!fast || p.fast()) && (only.isEmpty() || only.stream().anyMatch(o -> p.id().contains(o)))) {
                pairs.add(p);
            }
        }
        boolean none = buildOnly;
        Predicate<ReleasePair> judged = p -> !none && (judge.isEmpty() || judge.stream().anyMatch(j -> p.id().contains(j)));
        Path doc = out;
        String subset = tests;
        String[] commit = commit(root, store.dir(), out);
        String[] load = {loadAverage()};
        // recorded and rendered after every pair, so that a run stopped early leaves its verdicts and a document
        // that names the pairs it did not reach
        List<PairResult> results = run(root, pairs, timeout, subset, judged, System.out, done -> {
            try {
                String end = loadAverage();
                Verdict.Provenance p = new Verdict.Provenance(commit[0], commit[1].equals("dirty"),
                        java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString(),
                        System.getProperty("java.version"), machine(), load[0], end, cmd.toString());
                load[0] = end;   // nothing but this bookkeeping runs before the next pair starts
                store.record(Verdict.of(done.getLast(), subset, p));
                List<Verdict> all = inCorpusOrder(store.readAll(), corpus);
                Files.writeString(doc, CorpusReport.renderVerdicts(all, source, pairs.subList(done.size(), pairs.size()),
                        unrecorded(all, corpus)));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        System.out.println(CorpusReport.headline(results));
        System.out.println("recorded " + results.size() + " verdict(s) in " + store.dir());
        System.out.println("wrote " + out);
    }

    /** {@code /tmp/x.md} -> {@code /tmp/x.verdicts}: the store of a run whose document goes elsewhere. */
    static Path besideOut(Path out) {
        Path abs = out.toAbsolutePath().normalize();
        String name = abs.getFileName().toString();
        String base = name.endsWith(".md") ? name.substring(0, name.length() - 3) : name;
        return abs.resolveSibling(base + ".verdicts");
    }

    /** The records in the corpus's order, then any of pairs no longer in the corpus. */
    static List<Verdict> inCorpusOrder(List<Verdict> records, List<ReleasePair> corpus) {
        java.util.Map<String, Integer> index = new java.util.HashMap<>();
        for (int i = 0; i < corpus.size(); i++) {
            index.put(corpus.get(i).slug(), i);
        }
        return records.stream().sorted(java.util.Comparator.comparingInt((Verdict v) -> index.getOrDefault(v.slug(),
                Integer.MAX_VALUE)).thenComparing(Verdict::slug)).toList();
    }

    static List<ReleasePair> unrecorded(List<Verdict> records, List<ReleasePair> corpus) {
        java.util.Set<String> have = new java.util.HashSet<>();
        records.forEach(v -> have.add(v.slug()));
        return corpus.stream().filter(p -> !have.contains(p.slug())).toList();
    }

    private static String shown(Path root, Path dir) {
        return dir.startsWith(root) ? root.relativize(dir).toString() : dir.toString();
    }

    /**
     * The Atlas checkout's HEAD commit and "dirty" or "clean": dirty when files other than the
     * verdict records and the document differ from it (untracked files included).
     */
    private static String[] commit(Path root, Path store, Path out) {
        try {
            String head = git(root, "rev-parse", "HEAD").strip();
            List<String> status = new ArrayList<>(List.of("status", "--porcelain", "--", "."));
            for (Path p : List.of(store, out.toAbsolutePath().normalize())) {
                if (p.startsWith(root)) {
                    status.add(":(exclude)" + root.relativize(p));
                }
            }
            String changes = git(root, status.toArray(String[]::new));
            return new String[] {head, changes.isBlank() ? "clean" : "dirty"};
        } catch (IOException e) {
            return new String[] {"unknown (" + e.getMessage() + ")", "dirty"};
        }
    }

    private static String git(Path root, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("git", "-C", root.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed: " + text.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return text;
    }

    /** The 1-minute load average ({@code /proc/loadavg}), or {@code unknown}. */
    private static String loadAverage() {
        try {
            String s = Files.readString(Path.of("/proc/loadavg")).strip();
            int sp = s.indexOf(' ');
            return sp < 0 ? s : s.substring(0, sp);
        } catch (IOException e) {
            return "unknown";
        }
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
            String passed = testFilter == null ? "pass" : "behaved like the new release on the --tests subset (not a pass)";
            log.println("corpus: " + p.id() + ": " + (r.passed() ? passed : r.notJudged() ? "built, not judged" : "FAIL") + (r.passed() ? "" : " " + CorpusReport.reasons(r)
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
