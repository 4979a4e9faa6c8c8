package dev.atlas.corpus;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The recorded verdicts of the release corpus: a directory holding one text file per pair,
 * {@code <artifact>-<old>-<new>.verdict} ({@link Verdict#slug()}), which {@code ./atlas corpus}
 * writes as it finishes each pair and from which it renders {@code docs/release-corpus.md}.
 *
 * <p>A file is UTF-8 lines {@code key=value}, one fact per line in a fixed order, lists as
 * repeated keys ({@code refusal=}, {@code difference=}, {@code flaky=}, {@code history=}, {@code cve=}); in a
 * value, backslash, newline, carriage return and tab are written {@code \\}, {@code \n},
 * {@code \r}, {@code \t}; lines starting with {@code #} are comments. Suite outcomes are five
 * counts, {@code passed failed aborted skipped classes-failed}.
 *
 * <p>Which verdict a pair keeps ({@link #record}): a judgement of the whole suites ranks above
 * a judgement of a {@code --tests} subset, which ranks above a run that stopped at step (1)
 * (built only, refused, or not fetched). A new verdict replaces the recorded one when it ranks
 * the same or higher; otherwise the recorded one stays, and notes the newer run
 * ({@link Verdict#newerRun()}), so that the document can say that one exists.
 *
 * <p>Threading: not thread-safe; one harness writes a directory at a time. A file is replaced
 * atomically (written beside it, then moved), so a reader sees the old or the new record.
 */
final class VerdictStore {
    static final String EXTENSION = ".verdict";
    static final int FORMAT = 1;

    private final Path dir;

    VerdictStore(Path dir) {
        this.dir = dir;
    }

    Path dir() {
        return dir;
    }

    /** A record that could not be read: names the file, the line and what was expected. */
    static final class CorruptRecordException extends IOException {
        @java.io.Serial
        private static final long serialVersionUID = 1L;

        CorruptRecordException(String message) {
            super(message);
        }
    }

    /**
     * Records {@code v} for its pair under the rule above, and returns the verdict now recorded.
     *
     * @throws CorruptRecordException if the pair's recorded file cannot be read (it is left as it is)
     */
    Verdict record(Verdict v) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(v.slug() + EXTENSION);
        Verdict kept = v;
        if (Files.exists(file)) {
            Verdict old = read(file);
            kept = merge(old, v);
        }
        Path tmp = dir.resolve("." + v.slug() + EXTENSION + ".tmp");
        Files.writeString(tmp, format(kept), StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return kept;
    }

    /** Every recorded verdict, by file name; an unreadable or corrupt file is an error naming it. */
    List<Verdict> readAll() throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(f -> f.getFileName().toString().endsWith(EXTENSION)).sorted().toList();
        }
        List<Verdict> out = new ArrayList<>();
        for (Path f : files) {
            out.add(read(f));
        }
        return out;
    }

    /** The record in {@code file}, whose name must be its pair's {@link Verdict#slug()} and {@value #EXTENSION}. */
    static Verdict read(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.nio.charset.MalformedInputException e) {
            throw new CorruptRecordException(file + ": expected a UTF-8 text file (a verdict record), got bytes that are not UTF-8");
        }
        Verdict v = parse(file.toString(), text);
        String expected = v.slug() + EXTENSION;
        if (!file.getFileName().toString().equals(expected)) {
            throw new CorruptRecordException(file + ": holds the verdict of '" + v.id() + "', so expected the file name "
                    + expected);
        }
        return v;
    }

    /** Rank: 2 judged in full, 1 judged on a subset, 0 stopped at step (1). */
    static int rank(Verdict v) {
        return !v.judged() ? 0 : v.subset() == null ? 2 : 1;
    }

    /** The verdict a pair keeps when {@code newer} arrives after {@code recorded}. */
    static Verdict merge(Verdict recorded, Verdict newer) {
        if (rank(newer) >= rank(recorded)) {
            return newer;
        }
        return recorded.withNewerRun(describe(newer));
    }

    /** {@code build-only run at 1a2b3c4 2026-12-07T21:40:00Z: built} and the like. */
    static String describe(Verdict v) {
        String kind = rank(v) == 1 ? "judged on a subset (--tests " + v.subset() + ")" : rank(v) == 2 ? "judged" : "run stopped at step 1";
        String what;
        if (v.build() == null) {
            what = "not built" + (v.problem() == null ? "" : " (" + v.problem() + ")");
        } else if (!v.build().built()) {
            what = "refused (" + v.build().refusals().size() + ")";
        } else if (rank(v) == 0) {
            what = "built, " + v.build().changedClasses() + " class(es) changed";
        } else {
            what = v.behavedLikeTheNewRelease() ? "behaved like the new release" : "did not pass";
        }
        return kind + " at " + v.provenance().shortCommit() + " " + v.provenance().finished() + ": " + what;
    }

    // ---- the text format ----

    static String format(Verdict v) {
        StringBuilder sb = new StringBuilder();
        sb.append("# atlas corpus verdict of ").append(escape(v.id()))
                .append(": written by ./atlas corpus (dev.atlas.corpus.VerdictStore), not by hand\n");
        put(sb, "format", Integer.toString(FORMAT));
        put(sb, "group", v.group());
        put(sb, "artifact", v.artifact());
        put(sb, "old", v.oldVersion());
        put(sb, "new", v.newVersion());
        v.cves().forEach(c -> put(sb, "cve", c));
        Verdict.Provenance p = v.provenance();
        put(sb, "commit", p.commit());
        put(sb, "dirty", Boolean.toString(p.dirty()));
        put(sb, "finished", p.finished());
        put(sb, "jdk", p.jdk());
        put(sb, "machine", p.machine());
        put(sb, "load.start", p.loadStart());
        put(sb, "load.end", p.loadEnd());
        put(sb, "command", p.command());
        put(sb, "subset", v.subset());
        Verdict.Built b = v.build();
        put(sb, "build", b == null ? "not run" : b.built() ? "built" : "refused");
        if (b != null) {
            put(sb, "build.ms", Long.toString(b.millis()));
            put(sb, "build.changed-classes", Integer.toString(b.changedClasses()));
            put(sb, "build.notes", Integer.toString(b.notes()));
            put(sb, "build.first-note", b.firstNote());
            put(sb, "build.failure", b.failure());
            b.refusals().forEach(r -> put(sb, "refusal", r));
        }
        Verdict.Applied a = v.apply();
        if (a != null) {
            put(sb, "apply.status", a.status());
            put(sb, "apply.in-effect", Boolean.toString(a.inEffect()));
            put(sb, "apply.exit", Integer.toString(a.exitCode()));
            put(sb, "apply.first-line", a.firstLine());
            put(sb, "apply.ms", Long.toString(a.millis()));
            put(sb, "apply.prepare-ms", a.prepareMs());
        }
        counts(sb, "old-tests", v.oldTests());
        counts(sb, "patched", v.patched());
        counts(sb, "reference", v.reference());
        v.differences().forEach(d -> put(sb, "difference", d));
        v.flaky().forEach((id, seen) -> put(sb, "flaky", id + "\t" + seen));
        v.history().forEach((id, seen) -> put(sb, "history", id + "\t" + seen));
        put(sb, "history-run", v.historyRun());
        put(sb, "problem", v.problem());
        put(sb, "newer-run", v.newerRun());
        return sb.toString();
    }

    private static void counts(StringBuilder sb, String key, Verdict.Counts c) {
        if (c != null) {
            put(sb, key, c.passed() + " " + c.failed() + " " + c.aborted() + " " + c.skipped() + " " + c.classesFailed());
            c.runFailed().forEach(r -> put(sb, key + ".run-failed", r));
        }
    }

    private static void put(StringBuilder sb, String key, String value) {
        if (value != null) {
            sb.append(key).append('=').append(escape(value)).append('\n');
        }
    }

    static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    private static final Set<String> LISTS = Set.of("cve", "refusal", "difference", "flaky", "history", "old-tests.run-failed",
            "patched.run-failed", "reference.run-failed");
    private static final Set<String> SINGLE = Set.of("format", "group", "artifact", "old", "new", "commit", "dirty", "finished",
            "jdk", "machine", "load.start", "load.end", "command", "subset", "build", "build.ms", "build.changed-classes",
            "build.notes", "build.first-note", "build.failure", "apply.status", "apply.in-effect", "apply.exit",
            "apply.first-line", "apply.ms", "apply.prepare-ms", "old-tests", "patched", "reference", "problem", "newer-run", "history-run");

    /** Parses a record's text; {@code name} (the file) is named in every error. */
    static Verdict parse(String name, String text) throws CorruptRecordException {
        Map<String, String> one = new HashMap<>();
        Map<String, Integer> lineOf = new HashMap<>();
        Map<String, List<String>> many = new HashMap<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            int n = i + 1;
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new CorruptRecordException(name + ": line " + n + ": expected 'key=value' or a '#' comment, got '"
                        + clip(line) + "'");
            }
            String key = line.substring(0, eq);
            String value = unescape(name, n, line.substring(eq + 1));
            if (LISTS.contains(key)) {
                many.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
            } else if (SINGLE.contains(key)) {
                if (one.putIfAbsent(key, value) != null) {
                    throw new CorruptRecordException(name + ": line " + n + ": '" + clip(key) + "' appears twice; expected it once");
                }
                lineOf.put(key, n);
            } else {
                throw new CorruptRecordException(name + ": line " + n + ": unknown key '" + clip(key) + "'; expected one of "
                        + new java.util.TreeSet<>(union()));
            }
        }
        Fields f = new Fields(name, one, lineOf, many);
        int format = f.integer("format", true);
        if (format != FORMAT) {
            throw new CorruptRecordException(name + ": format " + format + "; expected format " + FORMAT
                    + " (written by another version of the harness?)");
        }
        String build = f.text("build", true);
        Verdict.Built built = switch (build) {
            case "not run" -> null;
            case "built", "refused" -> new Verdict.Built(build.equals("built"), f.list("refusal"),
                    f.integer("build.notes", true), f.text("build.first-note", false), f.integer("build.changed-classes", true),
                    f.number("build.ms", true), f.text("build.failure", false));
            default -> throw new CorruptRecordException(name + ": line " + lineOf.get("build") + ": build='" + clip(build)
                    + "'; expected 'built', 'refused' or 'not run'");
        };
        if (built == null && (!f.list("refusal").isEmpty() || one.containsKey("build.ms"))) {
            throw new CorruptRecordException(name + ": build='not run' but build details follow; expected none");
        }
        Verdict.Applied applied = null;
        if (one.containsKey("apply.status")) {
            applied = new Verdict.Applied(f.bool("apply.in-effect"), f.text("apply.status", true), f.integer("apply.exit", true),
                    f.text("apply.first-line", true), f.number("apply.ms", true), f.text("apply.prepare-ms", false));
        }
        Map<String, String> flaky = byId(name, "flaky", f.list("flaky"));
        Map<String, String> history = byId(name, "history", f.list("history"));
        Verdict.Provenance p = new Verdict.Provenance(f.text("commit", true), f.bool("dirty"), f.text("finished", true),
                f.text("jdk", true), f.text("machine", true), f.text("load.start", true), f.text("load.end", true),
                f.text("command", true));
        return new Verdict(f.text("group", true), f.text("artifact", true), f.text("old", true), f.text("new", true),
                f.list("cve"), f.text("subset", false), built, applied, f.counts("old-tests"), f.counts("patched"),
                f.counts("reference"), f.list("difference"), flaky, f.text("problem", false), p, f.text("newer-run", false),
                history, f.text("history-run", false));
    }

    /** Entries {@code <test id>\t<outcomes seen>} of the list {@code key}, by id. */
    private static Map<String, String> byId(String name, String key, List<String> entries) throws CorruptRecordException {
        Map<String, String> out = new TreeMap<>();
        for (String entry : entries) {
            int tab = entry.indexOf('\t');
            if (tab <= 0) {
                throw new CorruptRecordException(name + ": " + key + "='" + clip(entry) + "'; expected '<test id>\\t<outcomes seen>'");
            }
            out.put(entry.substring(0, tab), entry.substring(tab + 1));
        }
        return out;
    }

    private static Set<String> union() {
        Set<String> s = new java.util.HashSet<>(SINGLE);
        s.addAll(LISTS);
        return s;
    }

    private record Fields(String name, Map<String, String> one, Map<String, Integer> lineOf, Map<String, List<String>> many) {
        String text(String key, boolean required) throws CorruptRecordException {
            String v = one.get(key);
            if (v == null && required) {
                throw new CorruptRecordException(name + ": no '" + key + "=' line; expected one");
            }
            return v;
        }

        List<String> list(String key) {
            return many.getOrDefault(key, List.of());
        }

        long number(String key, boolean required) throws CorruptRecordException {
            String v = text(key, required);
            try {
                long n = Long.parseLong(v);
                if (n < 0) {
                    throw new NumberFormatException();
                }
                return n;
            } catch (NumberFormatException e) {
                throw new CorruptRecordException(name + ": line " + lineOf.get(key) + ": " + key + "='" + clip(v)
                        + "'; expected a whole number >= 0");
            }
        }

        int integer(String key, boolean required) throws CorruptRecordException {
            long n = number(key, required);
            if (n > Integer.MAX_VALUE) {
                throw new CorruptRecordException(name + ": line " + lineOf.get(key) + ": " + key + "=" + n
                        + "; expected at most " + Integer.MAX_VALUE);
            }
            return (int) n;
        }

        boolean bool(String key) throws CorruptRecordException {
            String v = text(key, true);
            return switch (v) {
                case "true" -> true;
                case "false" -> false;
                default -> throw new CorruptRecordException(name + ": line " + lineOf.get(key) + ": " + key + "='" + clip(v)
                        + "'; expected true or false");
            };
        }

        Verdict.Counts counts(String key) throws CorruptRecordException {
            String v = one.get(key);
            if (v == null) {
                if (many.containsKey(key + ".run-failed")) {
                    throw new CorruptRecordException(name + ": " + key + ".run-failed without '" + key + "='; expected both");
                }
                return null;
            }
            String[] f = v.split(" ", -1);
            long[] n = new long[5];
            if (f.length != 5) {
                throw bad(key, v);
            }
            for (int i = 0; i < 5; i++) {
                try {
                    n[i] = Long.parseLong(f[i]);
                } catch (NumberFormatException e) {
                    throw bad(key, v);
                }
                if (n[i] < 0) {
                    throw bad(key, v);
                }
            }
            return new Verdict.Counts(n[0], n[1], n[2], n[3], n[4], list(key + ".run-failed"));
        }

        private CorruptRecordException bad(String key, String v) {
            return new CorruptRecordException(name + ": line " + lineOf.get(key) + ": " + key + "='" + clip(v)
                    + "'; expected five whole numbers >= 0: passed failed aborted skipped classes-failed");
        }
    }

    private static String unescape(String name, int line, String s) throws CorruptRecordException {
        if (s.indexOf('\\') < 0 && s.indexOf('\r') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\r') {
                throw new CorruptRecordException(name + ": line " + line + ": a raw carriage return; expected '\\r' "
                        + "(the file must have Unix line ends)");
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            char e = ++i < s.length() ? s.charAt(i) : 0;
            switch (e) {
                case '\\' -> sb.append('\\');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                default -> throw new CorruptRecordException(name + ": line " + line + ": '\\" + (e == 0 ? "" : e)
                        + "' in a value; expected one of \\\\ \\n \\r \\t");
            }
        }
        return sb.toString();
    }

    private static String clip(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
