package dev.atlas.core.quiescence;

import dev.atlas.core.MigrationRequest;
import dev.atlas.core.ViewScope;
import dev.atlas.core.ViewSpace;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A fixed-size thread pool whose workers live in a {@link ViewSpace}: each task runs in
 * one {@link ViewScope} (all of it in one view), the point between two tasks is a
 * quiescence point, and a worker waiting for work is idle (migrated at once).
 *
 * {@snippet class=dev.atlas.core.snippets.CoreSnippets region=thread-pool}
 *
 * <p>Thread safety: as {@link ThreadPoolExecutor}.
 */
public final class QuiescentThreadPool extends ThreadPoolExecutor implements MigrationRequest.ThreadOwner {
    private final ViewSpace space;
    private final Set<Thread> workers;

    private QuiescentThreadPool(ViewSpace space, int threads, ThreadFactory factory, Set<Thread> workers) {
        super(threads, threads, 0L, TimeUnit.MILLISECONDS,
                new IdleAwareBlockingQueue<>(space, new LinkedBlockingQueue<>()), factory);
        this.space = space;
        this.workers = workers;
    }

    /** A pool of {@code threads} platform threads named {@code namePrefix-N}. */
    public static QuiescentThreadPool create(ViewSpace space, int threads, String namePrefix) {
        return create(space, threads, Thread.ofPlatform().name(namePrefix + "-", 0).factory());
    }

    /** A pool of {@code threads} threads made by {@code factory} (platform or virtual). */
    public static QuiescentThreadPool create(ViewSpace space, int threads, ThreadFactory factory) {
        Objects.requireNonNull(space, "space");
        Objects.requireNonNull(factory, "factory");
        if (threads < 1) {
            throw new IllegalArgumentException("a pool needs at least one thread, was " + threads);
        }
        Set<Thread> workers = ConcurrentHashMap.newKeySet();
        ThreadFactory bound = r -> factory.newThread(() -> {
            Thread self = Thread.currentThread();
            space.bindCurrentThread();
            workers.add(self);
            try {
                r.run();
            } finally {
                workers.remove(self);
                space.unbindCurrentThread();
            }
        });
        QuiescentThreadPool pool = new QuiescentThreadPool(space, threads, bound, workers);
        pool.prestartAllCoreThreads();
        return pool;
    }

    @Override
    public void execute(Runnable task) {
        Objects.requireNonNull(task, "task");
        super.execute(new ScopedTask(space, task));
    }

    @Override
    protected void beforeExecute(Thread t, Runnable r) {
        space.quiescent();   // between two tasks
    }

    @Override
    protected void afterExecute(Runnable r, Throwable t) {
        space.quiescent();
    }

    @Override
    public boolean owns(Thread thread) {
        return workers.contains(thread);
    }

    /** The live worker threads. */
    public List<Thread> workers() {
        return List.copyOf(workers);
    }

    /** The space the workers live in. */
    public ViewSpace space() {
        return space;
    }

    private record ScopedTask(ViewSpace space, Runnable task) implements Runnable {
        @Override
        public void run() {
            try (ViewScope ignored = space.enter()) {
                task.run();
            }
        }
    }
}
