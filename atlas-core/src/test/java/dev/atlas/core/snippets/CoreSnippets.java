package dev.atlas.core.snippets;

import dev.atlas.core.Migration;
import dev.atlas.core.MigrationTimeoutException;
import dev.atlas.core.View;
import dev.atlas.core.ViewKey;
import dev.atlas.core.ViewScope;
import dev.atlas.core.ViewSpace;
import dev.atlas.core.observe.SpaceDescription;
import dev.atlas.core.observe.SpaceListener;
import dev.atlas.core.quiescence.IdleAwareBlockingQueue;
import dev.atlas.core.quiescence.QuiescentThreadPool;
import dev.atlas.core.reclaim.Housekeeper;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The code of the {@code {@snippet}} examples in atlas-core's javadoc, by region: compiled
 * with the tests, so an example that no longer compiles fails the build. The javadoc shows
 * only the region ({@code {@snippet class=dev.atlas.core.snippets.CoreSnippets region=...}},
 * resolved through {@code --snippet-path src/test/java}).
 */
@SuppressWarnings("unused")
final class CoreSnippets {
    interface Request {}

    interface Handler {
        void handle(Request r);
    }

    static final ViewKey<Handler> HANDLER = ViewKey.of("handler", Handler.class);

    volatile boolean running = true;
    final BlockingQueue<Request> queue = new LinkedBlockingQueue<>();
    ViewSpace space;

    void handle(Request r, View view) {
        view.get(HANDLER).handle(r);
    }

    void respond(Request r, View view) {
        view.get(HANDLER).handle(r);
    }

    void viewSpace(Handler value) throws InterruptedException {
        // @start region=view-space
        try (ViewSpace space = ViewSpace.create("orders")) {
            // worker threads
            while (running) {
                Request r = space.awaitIdle(queue::take);   // idle: migrated at once if asked
                try (ViewScope scope = space.enter()) {      // one view for the whole request
                    handle(r, scope.view());
                }
                space.quiescent();                          // between requests
            }

            // an operator thread
            View v2 = space.derive(space.defaultView(), "v2").diverge(HANDLER, value).publish();
            Migration m = space.migrate(v2).allThreads().makeDefault().start();
            space.defaultView();   // v2
            space.baseView().retire();
        }
        // @end
    }

    ViewSpace createWithBase(Handler handler) {
        // @start region=create-with-base
        ViewSpace space = ViewSpace.create("orders", base -> base
                .diverge(HANDLER, handler)
                .onRetire(() -> System.out.println("base retired")));
        // @end
        return space;
    }

    // @start region=enter-request
    void handle(Request r) {                      // called by any server thread
        try (ViewScope scope = space.enterRequest()) {
            respond(r, scope.view());                // all-old or all-new
        }                                          // detached again: moved at once if asked
    }
    // @end

    void viewScope(Request request) {
        // @start region=view-scope
        try (ViewScope scope = space.enter()) {
            handle(request, scope.view());
        }
        space.quiescent();   // between requests: the thread may move to a new view here
        // @end
    }

    void view() throws MigrationTimeoutException, InterruptedException {
        // @start region=view
        View v2 = space.derive(space.baseView(), "v2").publish();
        Migration m = space.migrate(v2).allThreads().makeDefault().start();
        space.baseView().retire();       // retires as soon as the last thread has left it
        m.await(Duration.ofSeconds(5));  // or watch m.progress() / m.stragglers()
        // @end
    }

    void viewBuilder(View current, Handler newHandler, Runnable unload) {
        // @start region=view-builder
        View patched = space.derive(current, "patch-42")
                .diverge(HANDLER, newHandler)
                .onRetire(unload)
                .publish();
        // @end
    }

    // @start region=view-key
    static final ViewKey<String> GREETING = ViewKey.of("greeting", String.class);

    void greet() {
        View patched = space.derive(space.baseView())
                .diverge(GREETING, "hello, patched world")
                .publish();
        String g = patched.get(GREETING);          // "hello, patched world"
        String b = space.baseView().get(GREETING); // null: the base never declared it
    }
    // @end

    void migration(View v2, QuiescentThreadPool pool) throws InterruptedException {
        // @start region=migration
        Migration m = space.migrate(v2).executor(pool).start();
        m.completion().thenAccept(r -> System.out.println("all moved, slowest after " + r.maxDelay()));
        try {
            m.await(Duration.ofSeconds(2));
        } catch (MigrationTimeoutException e) {
            e.stragglers().forEach(s -> System.err.println(s.render(10)));
            m.cancel();   // threads already moved go back at their next quiescence point
        }
        // @end
    }

    void migrationRequest(View v2, View tracing, Thread suspect, QuiescentThreadPool pool) {
        // @start region=migration-request
        space.migrate(v2).allThreads().makeDefault().start();
        space.migrate(tracing).threads(suspect).start();
        space.migrate(v2).executor(pool).start();
        space.migrate(v2).matching(t -> t.getName().startsWith("http-")).start();
        // @end
    }

    void threadPool(View v2, Request request) {
        // @start region=thread-pool
        var pool = QuiescentThreadPool.create(space, 8, "http-worker");
        pool.submit(() -> handle(request));
        space.migrate(v2).executor(pool).start();   // each worker moves between two tasks
        // @end
    }

    void idleQueue() throws InterruptedException {
        // @start region=idle-queue
        BlockingQueue<Runnable> q = new IdleAwareBlockingQueue<>(space, new LinkedBlockingQueue<>());
        Runnable next = q.take();   // idle while waiting
        // @end
    }

    void housekeeper(Runnable sweep, Runnable unmap) {
        // @start region=housekeeper
        Housekeeper hk = Housekeeper.start("atlas-housekeeper-demo", Duration.ofMillis(100), sweep);
        hk.execute(unmap);   // returns at once
        hk.close();          // runs what is queued, then stops
        // @end
    }

    void listener() {
        // @start region=listener
        space.addListener(new SpaceListener() {
            @Override
            public void threadMigrated(ThreadMigrated e) {   // on the housekeeper, never on the worker
                System.out.println(e.threadName() + " -> view " + e.toViewId() + " after " + e.delay());
            }
        });
        // @end
    }

    void describe() {
        // @start region=describe
        SpaceDescription d = space.describe();
        System.out.print(d.render());   // views, threads per view, running migrations and stragglers
        // @end
    }
}
