package dev.atlas.demo.runtime;

import dev.atlas.cli.Durations;
import dev.atlas.core.Migration;
import dev.atlas.core.MigrationReport;
import dev.atlas.core.MigrationTimeoutException;
import dev.atlas.core.Straggler;
import dev.atlas.core.View;
import dev.atlas.core.ViewSpace;
import dev.atlas.core.ViewState;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The operator's side of the migration: derive and publish v2, migrate every thread into
 * it (making it the default), request v1's retirement at once, show the stragglers after
 * 50 ms, then wait for completion. Only this operator thread waits; the load runs on.
 */
final class MigrationPhase {
    private static final Duration STRAGGLER_CHECK = Duration.ofMillis(50);
    private static final Duration EVENT_TIMEOUT = Duration.ofSeconds(2);
    private static final int STACK_FRAMES = 8;

    private final DemoConfig c;
    private final PrintWriter out;
    private final Consumer<String> say;

    /** @param say prints a time-stamped line of the run's timeline */
    MigrationPhase(DemoConfig config, PrintWriter out, Consumer<String> say) {
        this.c = config;
        this.out = out;
        this.say = say;
    }

    MigrationOutcome run(ViewSpace space, View v1, LongRequestWorker longRequest, MigrationMonitor monitor)
            throws InterruptedException {
        // Start early in a long request, so that thread is a straggler for most of it.
        Duration lr = c.longRequest();
        longRequest.awaitInRequest(lr.dividedBy(20), lr.dividedBy(5), lr.multipliedBy(2));

        View v2 = space.derive(v1, "v2").diverge(Handler.KEY, Handler.v2()).publish();
        say.accept(Fmt.f("view %d 'v2' published (handler v2: step2 fixed); migrating all %d threads into it, and"
                + " making it the default; progress:", v2.id(), space.boundThreads()));
        long start = System.nanoTime();
        Migration m = space.migrate(v2).allThreads().makeDefault().start();
        long startCall = System.nanoTime() - start;
        v1.retire();
        say.accept(Fmt.f("start() returned after %s us; v1 retirement requested: %s with %d pins (its threads, and"
                + " the migration's hold until it completes)", Fmt.micros(startCall), v1.state(), v1.pins()));

        sleepUntil(start + STRAGGLER_CHECK.toNanos());
        List<Straggler> stragglers = m.stragglers();
        if (!stragglers.isEmpty()) {
            printStragglers(Fmt.f("still pending after %d ms: %d straggler(s), not yet at a quiescence point:",
                    STRAGGLER_CHECK.toMillis(), stragglers.size()), stragglers);
        }

        MigrationReport report;
        try {
            report = m.await(c.timeout().minusNanos(System.nanoTime() - start));
            monitor.awaitCompleted(EVENT_TIMEOUT);   // its progress lines come before what follows
        } catch (MigrationTimeoutException e) {
            report = m.report();
            printStragglers(Fmt.f("TIMEOUT: migration %d not complete %s after its start; %d thread(s) still pending:",
                    m.id(), Durations.format(c.timeout()), e.stragglers().size()), e.stragglers());
        }
        boolean retired = monitor.awaitOldViewRetired(EVENT_TIMEOUT) && v1.state() == ViewState.RETIRED;
        monitor.mute();
        return new MigrationOutcome(start, m.size(), report, retired, null);
    }

    private void printStragglers(String header, List<Straggler> stragglers) {
        StringBuilder sb = new StringBuilder("  ").append(header);
        for (Straggler s : stragglers) {
            sb.append("\n    ").append(s.render(STACK_FRAMES).replace("\n", "\n    "));
        }
        out.println(sb);   // one call: listener lines printed meanwhile cannot split it
    }

    static void sleepUntil(long deadlineNanos) {
        long left;
        while ((left = deadlineNanos - System.nanoTime()) > 0) {
            LockSupport.parkNanos(left);
        }
    }
}
