package dev.atlas.demo.runtime;

import dev.atlas.cli.Durations;
import dev.atlas.core.View;
import dev.atlas.core.ViewSpace;

import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One run of the demo, start to verdict:
 * <ol>
 *   <li>a space whose view "v1" holds {@link Handler#v1()} and is the default view;</li>
 *   <li>the {@link Workload} starts in v1 and runs a warm-up and a steady window;</li>
 *   <li>the {@link MigrationPhase} moves every thread into a new view "v2" while the load
 *       keeps running, and retires v1;</li>
 *   <li>after the migration window the load stops and the {@link DemoReport} is printed.</li>
 * </ol>
 * Only this operator thread ever waits (for time to pass, or for the migration); no
 * worker waits for anything the migration does.
 */
final class DemoRun {
    private final DemoConfig c;
    private final PrintWriter out;
    private final long t0 = System.nanoTime();

    DemoRun(DemoConfig config, PrintWriter out) {
        this.c = config;
        this.out = out;
    }

    /** @return true if every check passed */
    boolean run() throws InterruptedException {
        out.println(Fmt.f("Atlas runtime demo: %d pool workers (%,d req/s), %d idle workers, %d virtual threads,"
                        + " 1 long-request thread; %s under load", c.workers(), c.rate(), c.idleWorkers(),
                c.virtualThreads(), Durations.format(c.duration())));
        Work work = Work.calibrate(c.work());
        out.println(Fmt.f("  requests: %s of CPU work each (%,d rounds); virtual threads think %s between requests;"
                        + " long requests take %s; seed %d", Durations.format(c.work()), work.rounds(),
                Durations.format(c.think()), Durations.format(c.longRequest()), c.seed()));
        out.println();

        try (ViewSpace space = ViewSpace.create("demo")) {
            AtomicReference<String> cleanupRanOn = new AtomicReference<>();
            View v1 = space.derive(space.baseView(), "v1")
                    .diverge(Handler.KEY, Handler.v1())
                    .onRetire(() -> cleanupRanOn.set(Thread.currentThread().getName()))   // "unload v1's code"
                    .publish();
            space.setDefaultView(v1);
            space.baseView().retire();   // empty and unused: retires at once
            MigrationMonitor monitor = new MigrationMonitor(out, c.virtualThreads(), v1.id());
            space.addListener(monitor);
            say("view %d 'v1' (handler v1) is the default view; the empty base view retired; starting the load", v1.id());

            Recorder recorder = new Recorder();
            WorkerErrors errors = new WorkerErrors();
            Workload load = Workload.start(space, c, work, recorder, errors);
            MigrationOutcome outcome;
            try {
                Thread.sleep(c.warmup());
                say("warm-up done; measuring the steady window (%s)", Fmt.seconds(c.window().toNanos()));
                Thread.sleep(c.window());
                outcome = new MigrationPhase(c, out, line -> say("%s", line))
                        .run(space, v1, load.longRequest(), monitor);
                say("the load keeps running until the migration window ends, %s after the start",
                        Fmt.seconds(c.window().toNanos()));
                MigrationPhase.sleepUntil(outcome.startNanos() + c.window().toNanos());
                outcome = outcome.withDescription(space.describe());
            } finally {
                load.stop();
            }
            say("load stopped");
            out.println();
            return new DemoReport(c, out).print(outcome, recorder, errors, v1, cleanupRanOn.get());
        }
    }

    private void say(String format, Object... args) {
        out.println(Fmt.f("[%6s] ", Fmt.seconds(System.nanoTime() - t0)) + Fmt.f(format, args));
    }
}
