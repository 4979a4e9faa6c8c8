package dev.atlas.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The verdict records: their text format, which verdict a pair keeps, and the document rendered from them. */
class VerdictStoreTest {
    private static final String ID = "[engine:junit-jupiter]/[class:a.BTest]/[method:x()]";

    private static Verdict.Provenance at(String commit, String finished) {
        return new Verdict.Provenance(commit, false, finished, "25.0.1", "2 CPUs, Linux 6.1", "1.02", "3.50",
                "./atlas corpus --only lib");
    }

    private static Verdict.Built built() {
        return new Verdict.Built(true, List.of(), 2, "a/B: note one", 3, 1234, null);
    }

    private static Verdict buildOnly(String commit, String finished) {
        return new Verdict("g", "lib", "1", "2", List.of("CVE-2022-1"), null, built(), null, null, null, null, List.of(),
                Map.of(), null, at(commit, finished), null);
    }

    private static Verdict judged(String commit, String finished, String subset, boolean differs) {
        Verdict.Counts same = new Verdict.Counts(70, 0, 0, 1, 0, List.of());
        Verdict.Counts patched = differs ? new Verdict.Counts(69, 1, 0, 1, 0, List.of()) : same;
        return new Verdict("g", "lib", "1", "2", List.of("CVE-2022-1"), subset, built(),
                new Verdict.Applied(true, "ok", 0, "status=ok", 250, "12"), same, patched, same,
                differs ? List.of(ID + ": FAILED (reference: SUCCESSFUL)") : List.of(), Map.of(), null,
                at(commit, finished), null);
    }

    @Test
    void aRecordReadsBackAsWritten(@TempDir Path tmp) throws Exception {
        Verdict v = new Verdict("org.example", "lib", "1.0", "1.1", List.of("CVE-1", "CVE-2"), ".*\\.(A|B)Test",
                new Verdict.Built(false, List.of("a/B m()V: constructor changed (x=1)", "tab\there\\back\nslash"), 0, null, 0, 99,
                        null),
                new Verdict.Applied(false, "refused", 3, "status=refused: ünïcode = fine", 10, null),
                new Verdict.Counts(1, 2, 3, 4, 5, List.of("RUN_FAILED: boom")), null, new Verdict.Counts(0, 0, 0, 0, 0, List.of()),
                List.of(ID + ": FAILED (reference: SUCCESSFUL)"), new TreeMap<>(Map.of(ID, "patched JVM: FAILED, SUCCESSFUL; "
                + "reference: SUCCESSFUL")), "reference run: timed out\nafter 20 min", at("0123456789abcdef", "2026-12-07T21:40:00Z"),
                "run stopped at step 1 at 1234567 2026-12-08T00:00:00Z: built, 1 class(es) changed");
        VerdictStore store = new VerdictStore(tmp.resolve("verdicts"));
        assertEquals(v, store.record(v));
        assertEquals(List.of(v), store.readAll());
        assertTrue(Files.exists(tmp.resolve("verdicts/lib-1.0-1.1.verdict")));
        String text = Files.readString(tmp.resolve("verdicts/lib-1.0-1.1.verdict"));
        assertTrue(text.contains("\nrefusal=tab\\there\\\\back\\nslash\n"), text);
        assertTrue(text.contains("\nsubset=.*\\\\.(A|B)Test\n"), text);
    }

    @Test
    void theHistoryCheckReadsBackAndARecordWithoutItStillParses() throws Exception {
        Verdict judged = judged("abcdef01", "2026-12-07T23:00:00Z", ".*JndiManagerTest", false);
        Verdict v = new Verdict(judged.group(), judged.artifact(), judged.oldVersion(), judged.newVersion(), judged.cves(),
                judged.subset(), judged.build(), judged.apply(), judged.oldTests(), judged.patched(), judged.reference(),
                judged.differences(), judged.flaky(), null, judged.provenance(), null,
                Map.of(ID, "patched JVM: FAILED; history-matched reference: FAILED"),
                "old tests on the new jar: 3 passed; then the new tests' differing classes: 1 passed, 1 failed");
        String text = VerdictStore.format(v);
        assertTrue(text.contains("\nhistory=" + ID + "\\tpatched JVM: FAILED; history-matched reference: FAILED\n"), text);
        assertEquals(v, VerdictStore.parse("h.verdict", text));
        // a record written before the check (no history lines) reads as one without it
        String old = text.lines().filter(l -> !l.startsWith("history")).collect(java.util.stream.Collectors.joining("\n", "", "\n"));
        Verdict read = VerdictStore.parse("old.verdict", old);
        assertEquals(Map.of(), read.history());
        assertNull(read.historyRun());
        assertEquals(judged, read);
        VerdictStore.CorruptRecordException e = assertThrows(VerdictStore.CorruptRecordException.class,
                () -> VerdictStore.parse("bad.verdict", text.replace("\\tpatched JVM", "patched JVM")));
        assertTrue(e.getMessage().startsWith("bad.verdict: history='"), e::getMessage);
    }

    @Test
    void randomRecordsReadBackAsWritten() throws Exception {
        Random random = new Random(18);
        for (int i = 0; i < 500; i++) {
            Verdict v = randomVerdict(random);
            assertEquals(v, VerdictStore.parse("r" + i, VerdictStore.format(v)), () -> VerdictStore.format(v));
        }
    }

    @Test
    void aDamagedRecordIsEitherReadOrRefusedNamingTheFile() {
        Random random = new Random(1818);
        int refused = 0;
        for (int i = 0; i < 3000; i++) {
            String text = mutate(random, VerdictStore.format(randomVerdict(random)));
            try {
                VerdictStore.parse("verdicts/x.verdict", text);
            } catch (VerdictStore.CorruptRecordException e) {
                refused++;
                assertTrue(e.getMessage().startsWith("verdicts/x.verdict: "), e::getMessage);
                assertTrue(e.getMessage().contains("expected"), e::getMessage);
            } catch (RuntimeException e) {
                throw new AssertionError("an unexpected " + e + " for:\n" + text, e);
            }
        }
        assertTrue(refused > 300, "only " + refused + " of 3000 damaged records were refused");
    }

    @Test
    void aCorruptOrMisnamedFileIsNamedWithWhatWasExpected(@TempDir Path tmp) throws Exception {
        VerdictStore store = new VerdictStore(tmp);
        Path file = tmp.resolve("lib-1-2.verdict");
        Files.writeString(file, "format=1\nbuild=maybe\n");
        VerdictStore.CorruptRecordException e = assertThrows(VerdictStore.CorruptRecordException.class, store::readAll);
        assertTrue(e.getMessage().startsWith(file + ": "), e::getMessage);
        Files.writeString(file, VerdictStore.format(buildOnly("abc", "2026-12-07T00:00:00Z")).replace("build=built", "build=maybe"));
        e = assertThrows(VerdictStore.CorruptRecordException.class, store::readAll);
        assertTrue(e.getMessage().contains("build='maybe'; expected 'built', 'refused' or 'not run'"), e::getMessage);
        // recording over a corrupt file refuses and leaves it as it was
        String corrupt = Files.readString(file);
        assertThrows(VerdictStore.CorruptRecordException.class, () -> store.record(buildOnly("abc", "2026-12-07T00:00:00Z")));
        assertEquals(corrupt, Files.readString(file));
        Files.delete(file);
        Files.writeString(tmp.resolve("other.verdict"), VerdictStore.format(buildOnly("abc", "2026-12-07T00:00:00Z")));
        e = assertThrows(VerdictStore.CorruptRecordException.class, store::readAll);
        assertTrue(e.getMessage().contains("holds the verdict of 'lib 1 -> 2', so expected the file name lib-1-2.verdict"),
                e::getMessage);
        Files.write(tmp.resolve("other.verdict"), new byte[] {(byte) 0xff, (byte) 0xfe, 'x'});
        e = assertThrows(VerdictStore.CorruptRecordException.class, store::readAll);
        assertTrue(e.getMessage().contains("other.verdict: expected a UTF-8 text file"), e::getMessage);
    }

    @Test
    void aJudgementOutranksABuildOnlyRunWhichIsNotedOnIt(@TempDir Path tmp) throws Exception {
        VerdictStore store = new VerdictStore(tmp);
        store.record(buildOnly("aaaaaaa1", "2026-12-01T00:00:00Z"));
        Verdict pass = judged("bbbbbbb2", "2026-12-02T00:00:00Z", null, false);
        assertEquals(pass, store.record(pass), "a judgement replaces a build-only record");
        Verdict kept = store.record(buildOnly("ccccccc3", "2026-12-03T00:00:00Z"));
        assertEquals("bbbbbbb2", kept.provenance().commit());
        assertTrue(kept.passed());
        assertEquals("run stopped at step 1 at ccccccc 2026-12-03T00:00:00Z: built, 3 class(es) changed", kept.newerRun());
        assertEquals(List.of(kept), store.readAll());

        Verdict fail = judged("ddddddd4", "2026-12-04T00:00:00Z", null, true);
        assertEquals(fail, store.record(fail), "a newer judgement replaces an older one, pass or not");
        assertNull(store.readAll().getFirst().newerRun());

        Verdict subsetPass = judged("eeeeeee5", "2026-12-05T00:00:00Z", ".*Md5CryptTest", false);
        Verdict afterSubset = store.record(subsetPass);
        assertEquals("ddddddd4", afterSubset.provenance().commit(), "a subset does not replace a full judgement");
        assertTrue(afterSubset.newerRun().startsWith("judged on a subset (--tests .*Md5CryptTest) at eeeeeee 2026-12-05"),
                afterSubset.newerRun());

        VerdictStore other = new VerdictStore(tmp.resolve("other"));
        other.record(buildOnly("aaaaaaa1", "2026-12-01T00:00:00Z"));
        assertEquals(subsetPass, other.record(subsetPass), "a subset judgement replaces a build-only record");
        Verdict full = judged("fffffff6", "2026-12-06T00:00:00Z", null, false);
        assertEquals(full, other.record(full), "a full judgement replaces a subset one");
        Verdict b1 = buildOnly("1111111", "2026-12-01T00:00:00Z");
        Verdict b2 = buildOnly("2222222", "2026-12-02T00:00:00Z");
        assertEquals(b2, VerdictStore.merge(b1, b2), "a newer build-only record replaces an older one");
    }

    @Test
    void aSubsetThatBehavedLikeTheNewReleaseIsNeverAPass() {
        Verdict subset = judged("eeeeeee5", "2026-12-05T00:00:00Z", ".*Md5CryptTest", false);
        assertTrue(subset.behavedLikeTheNewRelease());
        assertFalse(subset.passed());
        String doc = CorpusReport.renderVerdicts(List.of(subset), "Rendered", List.of(), List.of());
        assertTrue(doc.contains("**0 of 0 release pairs judged in full passed (–); 1 of 1 pairs of 1 libraries judged, at 1 "
                + "different commit(s) (1 of them on a --tests subset only, not counted as passes: 1 behaved like the new "
                + "release there)"), doc);
        assertTrue(doc.contains("| subset only (`--tests`), not a pass |"), doc);
        assertTrue(doc.contains("security-fix pairs passed: 0 of 1"), doc);
    }

    @Test
    void theDocumentIsRenderedFromTheRecordsNamingWhereEachVerdictCameFrom() {
        Verdict pass = judged("aaaaaaa1ffff", "2026-12-02T10:00:00Z", null, false);
        Verdict fail = new Verdict("g", "other", "3", "4", List.of(), null, built(),
                new Verdict.Applied(true, "ok", 0, "", 250, "12"), null, new Verdict.Counts(69, 1, 0, 0, 0, List.of()),
                new Verdict.Counts(70, 0, 0, 0, 0, List.of()), List.of(ID + ": FAILED (reference: SUCCESSFUL)"), Map.of(), null,
                new Verdict.Provenance("bbbbbbb2", true, "2026-12-03T10:00:00Z", "25", "m", "1", "2", "c"), null);
        Verdict onlyBuilt = new Verdict("g", "fourth", "1", "2", List.of(), null, built(), null, null, null, null, List.of(),
                Map.of(), null, at("ccccccc3", "2026-12-04T10:00:00Z"), null);
        Verdict refused = new Verdict("g", "third", "5", "6", List.of(), null,
                new Verdict.Built(false, List.of("a/B: constructor changed (x)"), 0, null, 0, 500, null), null, null, null, null,
                List.of(), Map.of(), null, at("ccccccc3", "2026-12-04T10:05:00Z"), null);
        ReleasePair missing = new ReleasePair("g", "gone", "7", "8", "p", List.of(), false);
        String doc = CorpusReport.renderVerdicts(List.of(pass, fail, onlyBuilt, refused), "Rendered from x by y", List.of(),
                List.of(missing));
        assertTrue(doc.contains("**1 of 2 release pairs judged in full passed (50 %); 2 of 4 pairs of 4 libraries judged, at 2 "
                + "different commit(s); built 3 (1 of them not judged: built only, steps 2 and 3 not run)"), doc);
        assertTrue(doc.contains("| **pass** | 1.2 | 0.3 | 12 | aaaaaaa 2026-12-02T10:00:00Z |"), doc);
        assertTrue(doc.contains("| fail | 1.2 | 0.3 | 12 | bbbbbbb+dirty 2026-12-03T10:00:00Z |"), doc);
        assertTrue(doc.contains("| fourth | 1 → 2 |  | 3 | yes | – | – | – | not judged | 1.2 |  |  | ccccccc 2026-12-04T10:00:00Z |"),
                doc);
        assertTrue(doc.contains("| refused (1) |"), doc);
        assertTrue(doc.contains("- differs: " + ID + ": FAILED (reference: SUCCESSFUL)"), doc);
        assertTrue(doc.contains("| constructor changed | 1 | 1 |"), doc);
        assertTrue(doc.contains("No verdict recorded yet for 1 pair(s) of the corpus: gone 7 -> 8."), doc);
        assertTrue(doc.contains("Built, not judged (steps 2 and 3 not run, so no verdict): fourth 1 -> 2."), doc);
        assertTrue(doc.contains("- lib 1 -> 2: 2 note(s), e.g. a/B: note one"), doc);

        Verdict kept = VerdictStore.merge(pass, buildOnly("ddddddd4", "2026-12-05T00:00:00Z"));
        String withNewer = CorpusReport.renderVerdicts(List.of(kept), "Rendered", List.of(), List.of());
        assertTrue(withNewer.contains("- lib 1 -> 2: run stopped at step 1 at ddddddd 2026-12-05T00:00:00Z: built"), withNewer);
    }

    @Test
    void aRunWrittenElsewhereKeepsItsRecordsBesideItsDocument() {
        assertEquals(Path.of("/tmp/x.verdicts"), CorpusMain.besideOut(Path.of("/tmp/x.md")));
        assertEquals(Path.of("/tmp/y.txt.verdicts"), CorpusMain.besideOut(Path.of("/tmp/y.txt")));
    }

    @Test
    void recordsAreShownInTheCorpusOrderAndMissingPairsNamed() {
        ReleasePair a = new ReleasePair("g", "lib", "1", "2", "p", List.of(), false);
        ReleasePair b = new ReleasePair("g", "zed", "1", "2", "p", List.of(), false);
        ReleasePair c = new ReleasePair("g", "abc", "1", "2", "p", List.of(), false);
        Verdict va = buildOnly("1", "t");
        Verdict vz = new Verdict("g", "zed", "1", "2", List.of(), null, built(), null, null, null, null, List.of(), Map.of(), null,
                at("1", "t"), null);
        Verdict stray = new Verdict("g", "stray", "1", "2", List.of(), null, null, null, null, null, null, List.of(), Map.of(),
                "could not fetch", at("1", "t"), null);
        assertEquals(List.of(vz, va, stray), CorpusMain.inCorpusOrder(List.of(stray, va, vz), List.of(b, c, a)));
        assertEquals(List.of(c), CorpusMain.unrecorded(List.of(stray, va, vz), List.of(b, c, a)));
    }

    // ---- random records and damage ----

    private static final String ALPHABET = "abcXYZ019 .-_:/()[]=|\\\t\nüé€#";

    private static String text(Random r, int max) {
        int n = r.nextInt(max + 1);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(ALPHABET.charAt(r.nextInt(ALPHABET.length())));
        }
        return sb.toString();
    }

    private static String nonEmpty(Random r) {
        return "v" + text(r, 12);
    }

    private static String orNull(Random r, String s) {
        return r.nextBoolean() ? null : s;
    }

    private static List<String> texts(Random r) {
        List<String> l = new ArrayList<>();
        for (int i = r.nextInt(4); i > 0; i--) {
            l.add(text(r, 20));
        }
        return l;
    }

    private static Verdict.Counts counts(Random r) {
        return r.nextBoolean() ? null : new Verdict.Counts(r.nextInt(100_000), r.nextInt(10), r.nextInt(3), r.nextInt(50),
                r.nextInt(3), texts(r));
    }

    private static Verdict randomVerdict(Random r) {
        Verdict.Built built = r.nextInt(5) == 0 ? null : new Verdict.Built(r.nextBoolean(), texts(r), r.nextInt(5),
                orNull(r, text(r, 30)), r.nextInt(200), r.nextInt(1_000_000), orNull(r, text(r, 30)));
        Verdict.Applied applied = r.nextBoolean() ? null : new Verdict.Applied(r.nextBoolean(), nonEmpty(r), r.nextInt(4),
                text(r, 30), r.nextInt(10_000), orNull(r, Integer.toString(r.nextInt(1000))));
        Map<String, String> flaky = new TreeMap<>();
        for (int i = r.nextInt(3); i > 0; i--) {
            flaky.put("[x:" + nonEmpty(r).replace("\t", "") + "]", text(r, 20));
        }
        Verdict.Provenance p = new Verdict.Provenance(nonEmpty(r), r.nextBoolean(), nonEmpty(r), nonEmpty(r), text(r, 10),
                text(r, 5), text(r, 5), text(r, 40));
        Map<String, String> history = new TreeMap<>();
        for (int i = r.nextInt(3); i > 0; i--) {
            history.put("[y:" + nonEmpty(r).replace("\t", "") + "]", text(r, 20));
        }
        return new Verdict(nonEmpty(r), nonEmpty(r), nonEmpty(r), nonEmpty(r), texts(r), orNull(r, text(r, 20)), built, applied,
                counts(r), counts(r), counts(r), texts(r), flaky, orNull(r, text(r, 30)), p, orNull(r, text(r, 30)),
                history, history.isEmpty() ? orNull(r, text(r, 30)) : text(r, 30));
    }

    private static String mutate(Random r, String text) {
        StringBuilder sb = new StringBuilder(text);
        for (int k = 1 + r.nextInt(3); k > 0; k--) {
            int at = sb.isEmpty() ? 0 : r.nextInt(sb.length());
            switch (r.nextInt(6)) {
                case 0 -> {
                    if (!sb.isEmpty()) {
                        sb.deleteCharAt(at);
                    }
                }
                case 1 -> sb.insert(at, ALPHABET.charAt(r.nextInt(ALPHABET.length())));
                case 2 -> sb.insert(at, "\\");
                case 3 -> {
                    String[] lines = sb.toString().split("\n", -1);
                    int line = r.nextInt(lines.length);
                    List<String> l = new ArrayList<>(List.of(lines));
                    if (r.nextBoolean()) {
                        l.remove(line);
                    } else {
                        l.add(line, lines[line]);
                    }
                    sb.setLength(0);
                    sb.append(String.join("\n", l));
                }
                case 4 -> sb.insert(at, "\r");
                default -> sb.insert(at, new String[] {"=", "x=1\n", "patched=1 2 3\n", "build=", "-1", "99999999999"}[r.nextInt(6)]);
            }
        }
        return sb.toString();
    }
}
