package dev.atlas.demo.run;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The results of a demo repeated for several rounds ({@link PatchDemo#run(List, int)}): each
 * round ran every mode once, in the same order, so that the machine's slow drifts touch all
 * modes alike. On a small shared machine one change window's p99.9 (the 2nd slowest of 1,600
 * requests with the defaults) varies more from run to run than the effect being measured;
 * the medians over rounds are what to compare.
 *
 * @param options     the options of the whole run (each round's files are in its {@link DemoOptions#inRound round directory})
 * @param rounds      one report per round, in the order run
 * @param medianRound the index in {@code rounds} of the representative round: the one whose
 *                    Atlas change-window ratio ({@link ModeResult#changeToSteadyP999}) is the
 *                    median (the lower middle for an even count); the first mode that ran
 *                    stands in when Atlas did not run
 * @param png         the chart of the representative round, copied to the run's chart path
 */
public record RoundsReport(DemoOptions options, List<DemoReport> rounds, int medianRound, Path png) {
    /** The mode whose ratio picks the representative round, when it ran. */
    static final String REFERENCE_MODE = "atlas";

    public RoundsReport {
        rounds = List.copyOf(rounds);
        if (rounds.isEmpty()) {
            throw new IllegalArgumentException("no round: a repeated demo has at least one");
        }
        if (medianRound < 0 || medianRound >= rounds.size()) {
            throw new IllegalArgumentException("median round index " + medianRound + ", expected 0 to " + (rounds.size() - 1));
        }
    }

    /** The summary over rounds, then the representative round's full table ({@link RoundsTable}). */
    public String table() {
        return RoundsTable.render(this);
    }

    /** The names of the modes, in the order they first appear in the rounds. */
    List<String> modeNames() {
        List<String> names = new ArrayList<>();
        for (DemoReport r : rounds) {
            for (ModeResult m : r.modes()) {
                if (!names.contains(m.mode())) {
                    names.add(m.mode());
                }
            }
        }
        return names;
    }

    /** The results of {@code mode} in every round where it ran and has a ratio, in round order. */
    List<ModeResult> resultsOf(String mode) {
        List<ModeResult> out = new ArrayList<>();
        for (DemoReport r : rounds) {
            for (ModeResult m : r.modes()) {
                if (m.mode().equals(mode) && !Double.isNaN(m.changeToSteadyP999())) {
                    out.add(m);
                }
            }
        }
        return out;
    }

    /** See {@link #medianRound}: 0 if no mode has a ratio in any round. */
    static int medianRoundOf(List<DemoReport> rounds) {
        String reference = null;
        for (DemoReport r : rounds) {
            for (ModeResult m : r.modes()) {
                if (!Double.isNaN(m.changeToSteadyP999()) && (reference == null || m.mode().equals(REFERENCE_MODE))) {
                    reference = m.mode();
                }
            }
        }
        if (reference == null) {
            return 0;
        }
        List<double[]> ratioAndIndex = new ArrayList<>();
        for (int i = 0; i < rounds.size(); i++) {
            for (ModeResult m : rounds.get(i).modes()) {
                if (m.mode().equals(reference) && !Double.isNaN(m.changeToSteadyP999())) {
                    ratioAndIndex.add(new double[] {m.changeToSteadyP999(), i});
                }
            }
        }
        double[][] sorted = ratioAndIndex.toArray(double[][]::new);
        Arrays.sort(sorted, (a, b) -> a[0] != b[0] ? Double.compare(a[0], b[0]) : Double.compare(a[1], b[1]));
        return (int) sorted[(sorted.length - 1) / 2][1];
    }
}
