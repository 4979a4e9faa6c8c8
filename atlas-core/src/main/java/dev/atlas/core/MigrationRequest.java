package dev.atlas.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Says which threads to move into a target view. Selections add up; the threads are the
 * registered, live threads of the space matched when {@link #start()} is called.
 *
 * {@snippet class=dev.atlas.core.snippets.CoreSnippets region=migration-request}
 *
 * <p>Threading contract: confined to the caller; single use.
 */
public final class MigrationRequest {
    private final ViewSpace space;
    private final View target;
    private final List<Predicate<Thread>> selectors = new ArrayList<>();
    private boolean makeDefault;
    private boolean started;

    MigrationRequest(ViewSpace space, View target) {
        this.space = space;
        this.target = target;
    }

    /** Every thread bound to the space. */
    public MigrationRequest allThreads() {
        return matching(t -> true);
    }

    /** These threads (each must be bound to the space when the migration starts). */
    public MigrationRequest threads(Thread... threads) {
        return threads(List.of(threads));
    }

    /** These threads (each must be bound to the space when the migration starts). */
    public MigrationRequest threads(Collection<Thread> threads) {
        List<Thread> copy = List.copyOf(threads);
        space.checkBound(copy);
        return matching(copy::contains);
    }

    /** Threads of this group (platform threads; virtual threads all share one group). */
    public MigrationRequest threadGroup(ThreadGroup group) {
        Objects.requireNonNull(group, "group");
        return matching(t -> t.getThreadGroup() == group);
    }

    /** The worker threads of a pool that knows its threads (such as a QuiescentThreadPool). */
    public MigrationRequest executor(ThreadOwner pool) {
        Objects.requireNonNull(pool, "pool");
        return matching(pool::owns);
    }

    /** Threads matching {@code predicate}, evaluated once per bound thread at start. */
    public MigrationRequest matching(Predicate<Thread> predicate) {
        checkNotStarted();
        selectors.add(Objects.requireNonNull(predicate, "predicate"));
        return this;
    }

    /** Also make the target the default view, so threads bound later start in it. */
    public MigrationRequest makeDefault() {
        checkNotStarted();
        makeDefault = true;
        return this;
    }

    /**
     * Starts the migration and returns at once.
     *
     * @throws IllegalStateException if no selection was given, or the request was started
     * @throws ViewRetiredException  if the target is not ACTIVE (nothing changes)
     */
    public Migration start() {
        checkNotStarted();
        if (selectors.isEmpty()) {
            throw new IllegalStateException("no threads selected for migration to view " + target.describe()
                    + "; call allThreads(), threads(...), threadGroup(...), executor(...) or matching(...)");
        }
        started = true;
        Predicate<Thread> any = t -> {
            for (Predicate<Thread> p : selectors) {
                if (p.test(t)) return true;
            }
            return false;
        };
        return space.startMigration(target, any, makeDefault);
    }

    private void checkNotStarted() {
        if (started) {
            throw new IllegalStateException("migration request to view " + target.describe() + " was already started");
        }
    }

    /** Something that can tell whether a thread is one of its own, like a thread pool. */
    @FunctionalInterface
    public interface ThreadOwner {
        boolean owns(Thread thread);
    }
}
