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
        return matching(Selector.ALL);
    }

    /** These threads (each must be bound to the space when the migration starts). */
    public MigrationRequest threads(Thread... threads) {
        return threads(List.of(threads));
    }

    /** These threads (each must be bound to the space when the migration starts). */
    public MigrationRequest threads(Collection<Thread> threads) {
        List<Thread> copy = List.copyOf(threads);
        space.registry.checkBound(copy);
        return matching(new Selector.Listed(copy));
    }

    /** Threads of this group (platform threads; virtual threads all share one group). */
    public MigrationRequest threadGroup(ThreadGroup group) {
        Objects.requireNonNull(group, "group");
        return matching(new Selector.InGroup(group));
    }

    /** The worker threads of a pool that knows its threads (such as a QuiescentThreadPool). */
    public MigrationRequest executor(ThreadOwner pool) {
        Objects.requireNonNull(pool, "pool");
        return matching(new Selector.OwnedBy(pool));
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
        return space.startMigration(target, new Selector.Any(List.copyOf(selectors)), makeDefault);
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

    /**
     * The selections as classes, not lambdas: a migration starts at the patch instant, where a
     * lambda's first run would link its call site (PatchPathRulesTest).
     */
    private sealed interface Selector extends Predicate<Thread> {
        Selector ALL = new All();

        record All() implements Selector {
            @Override
            public boolean test(Thread t) {
                return true;
            }
        }

        record Listed(List<Thread> threads) implements Selector {
            @Override
            public boolean test(Thread t) {
                return threads.contains(t);
            }
        }

        record InGroup(ThreadGroup group) implements Selector {
            @Override
            public boolean test(Thread t) {
                return t.getThreadGroup() == group;
            }
        }

        record OwnedBy(ThreadOwner pool) implements Selector {
            @Override
            public boolean test(Thread t) {
                return pool.owns(t);
            }
        }

        record Any(List<Predicate<Thread>> selectors) implements Selector {
            @Override
            public boolean test(Thread t) {
                for (Predicate<Thread> p : selectors) {
                    if (p.test(t)) return true;
                }
                return false;
            }
        }
    }
}
