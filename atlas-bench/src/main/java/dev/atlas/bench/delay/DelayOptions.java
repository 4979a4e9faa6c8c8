package dev.atlas.bench.delay;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The command-line options of {@code dev.atlas.bench.MigrationDelayHarness} ({@code --help} lists them),
 * with the {@code --quick} and default presets.
 */
public record DelayOptions(boolean quick, int migrations, int warmupMigrations, double windowSeconds,
                           double warmupSeconds, int rounds, int[] threads, int[] workMicros, int virtualThreads,
                           int virtualWorkMicros, int virtualSleepMicros, boolean freshViews, Set<String> scenarios) {

    public static DelayOptions parse(String[] args) {
        boolean quick = Arrays.asList(args).contains("--quick");
        int migrations = quick ? 12 : 50;
        int warmupMigrations = quick ? 5 : 10;
        double window = quick ? 0.3 : 1.0;
        double warmup = quick ? 0.3 : 1.0;
        int rounds = quick ? 1 : 3;
        int[] threads = {4, 16};
        int[] work = {10, 100, 1000};
        int vthreads = 200;
        int vwork = 100;
        int vsleep = 100;
        boolean fresh = false;
        Set<String> scenarios = new LinkedHashSet<>(List.of("busy", "idle", "virtual"));
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--quick" -> { }
                case "--migrations" -> migrations = Integer.parseInt(args[++i]);
                case "--warmup-migrations" -> warmupMigrations = Integer.parseInt(args[++i]);
                case "--window" -> window = Double.parseDouble(args[++i]);
                case "--warmup" -> warmup = Double.parseDouble(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--threads" -> threads = ints(args[++i]);
                case "--work" -> work = ints(args[++i]);
                case "--virtual-threads" -> vthreads = Integer.parseInt(args[++i]);
                case "--virtual-work" -> vwork = Integer.parseInt(args[++i]);
                case "--virtual-sleep" -> vsleep = Integer.parseInt(args[++i]);
                case "--fresh-views" -> fresh = true;
                case "--scenarios" -> scenarios = new LinkedHashSet<>(List.of(args[++i].split(",")));
                case "--help", "-h" -> {
                    usage();
                    System.exit(0);
                }
                default -> {
                    System.err.println("unknown option: " + a);
                    usage();
                    System.exit(2);
                }
            }
        }
        if (migrations < 1 || window <= 0 || warmup < 0 || warmupMigrations < 0 || rounds < 1 || rounds > migrations) {
            System.err.println("need --migrations >= --rounds >= 1, --window > 0, --warmup and --warmup-migrations >= 0");
            System.exit(2);
        }
        return new DelayOptions(quick, migrations, warmupMigrations, window, warmup, rounds, threads, work, vthreads, vwork,
                vsleep, fresh, scenarios);
    }

    private static int[] ints(String csv) {
        return Arrays.stream(csv.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    private static void usage() {
        System.err.println("""
                usage: java -cp atlas-bench.jar dev.atlas.bench.MigrationDelayHarness [options]
                  --quick                 ~10 s smoke run (12 migrations, 1 round, 0.3 s windows)
                  --scenarios LIST        busy,idle,virtual (default: all)
                  --threads LIST          platform thread counts for busy and idle (default 4,16)
                  --work LIST             busy work per scope in µs (default 10,100,1000)
                  --virtual-threads N     virtual threads (default 200)
                  --virtual-work US       their work per scope in µs (default 100)
                  --virtual-sleep US      after each quiescence point a virtual thread parks US µs (default 100)
                                          0: Thread.yield() instead (can starve threads, see docs)
                  --migrations M          recorded migrations per scenario (default 50)
                  --warmup-migrations K   unrecorded migrations during warm-up (default 10)
                  --rounds R              quiet/migrating window pairs: Q M Q M .. Q (default 3)
                  --window S              length of each window in s (default 1)
                  --warmup S              warm-up in s (default 1)
                  --fresh-views           migrate into a freshly derived view each time and retire the old one
                """);
    }
}
