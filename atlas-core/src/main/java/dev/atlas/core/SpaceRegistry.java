package dev.atlas.core;

import dev.atlas.core.observe.SpaceDescription;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * What a {@link ViewSpace} holds, and what it says about it: its views not yet retired, the
 * threads bound to it, its running migrations, and the {@link SpaceDescription} assembled
 * from them. The space's introspection; the space's operations change the registry.
 *
 * <p>Threading: any thread; the maps are concurrent, a query sees each entry at most once and
 * may miss one added or removed meanwhile.
 */
final class SpaceRegistry {
    /*
     * Implementation notes.
     *
     * `bindings` maps thread id to ThreadBinding; a thread registers itself the first time it
     * uses the space (or explicitly), after pinning its initial view. Bindings of dead threads
     * are found by sweep() (the housekeeper's periodic job, every migration start and every
     * description) and exited, which drops their pins.
     *
     * describe() uses plain loops and sorts, no streams or lambdas (the comparators are classes): it runs at the patch
     * instant in a serving JVM (ARCHITECTURE.md, "The patch path in the serving JVM").
     */
    private static final Comparator<View> VIEWS_BY_ID = new ViewsById();
    private static final Comparator<Migration> MIGRATIONS_BY_ID = new MigrationsById();
    private static final Comparator<ThreadBinding> BY_THREAD_ID = new ByThreadId();

    private final String space;
    private final ConcurrentHashMap<Long, View> views = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, ThreadBinding> bindings = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, Migration> running = new ConcurrentHashMap<>();

    SpaceRegistry(String space) {
        this.space = space;
    }

    void addView(View v) {
        views.put(v.id(), v);
    }

    void removeView(View v) {
        views.remove(v.id());
    }

    int viewCount() {
        return views.size();
    }

    void addBinding(ThreadBinding b) {
        bindings.put(b.threadId, b);
    }

    void removeBinding(ThreadBinding b) {
        bindings.remove(b.threadId, b);
    }

    void addRunning(Migration m) {
        running.put(m.id(), m);
    }

    void removeRunning(Migration m) {
        running.remove(m.id());
    }

    /** Views not yet retired, by id. */
    List<View> views() {
        List<View> l = new ArrayList<>(views.values());
        l.sort(VIEWS_BY_ID);
        return Collections.unmodifiableList(l);
    }

    /** Migrations not yet finished, by id. */
    List<Migration> runningMigrations() {
        List<Migration> l = new ArrayList<>(running.values());
        l.sort(MIGRATIONS_BY_ID);
        return Collections.unmodifiableList(l);
    }

    /** The live bindings whose thread {@code selector} accepts, by thread id. */
    List<ThreadBinding> select(Predicate<Thread> selector) {
        List<ThreadBinding> selected = new ArrayList<>();
        for (ThreadBinding b : bindings.values()) {
            if (!b.state().exited() && selector.test(b.thread)) {
                selected.add(b);
            }
        }
        selected.sort(BY_THREAD_ID);
        return selected;
    }

    /** Threads bound and not known to be dead. */
    int boundThreads() {
        int n = 0;
        for (ThreadBinding b : bindings.values()) {
            if (!b.state().exited()) n++;
        }
        return n;
    }

    int countBoundThreads(View v) {
        int n = 0;
        for (ThreadBinding b : bindings.values()) {
            BindingState s = b.state();
            if (!s.exited() && s.current() == v) n++;
        }
        return n;
    }

    /** @throws IllegalArgumentException naming the first of {@code threads} not bound to the space */
    void checkBound(List<Thread> threads) {
        for (Thread t : threads) {
            ThreadBinding b = bindings.get(t.threadId());
            if (b == null || b.thread != t) {
                throw new IllegalArgumentException("thread '" + t.getName() + "' (#" + t.threadId()
                        + ") is not bound to space '" + space + "'");
            }
        }
    }

    /** Exits the bindings of threads that died without unbinding; returns how many. */
    int sweep() {
        int n = 0;
        for (ThreadBinding b : bindings.values()) {
            if (!b.thread.isAlive() && bindings.remove(b.threadId, b)) {
                if (b.exit()) n++;
            }
        }
        return n;
    }

    /** The space now (after a sweep): views, threads per view, running migrations. */
    SpaceDescription describe(long defaultViewId) {
        sweep();
        SpaceDescription.Builder d = SpaceDescription.builder(space, defaultViewId);
        for (View v : views()) {
            List<String> divergences = new ArrayList<>();
            if (v.state() != ViewState.PREPARING) {
                for (ViewKey<?> k : v.divergences()) {
                    divergences.add(k.name());
                }
            }
            long parentId = v.parent().isPresent() ? v.parent().get().id() : -1L;
            d.view(v.id(), v.name(), parentId, v.state().name(), countBoundThreads(v), v.pins(), divergences);
        }
        List<ThreadBinding> bs = new ArrayList<>(bindings.values());
        bs.sort(BY_THREAD_ID);
        for (ThreadBinding b : bs) {
            BindingState s = b.state();
            if (s.exited()) continue;
            d.thread(b.threadId, b.thread.getName(), b.thread.isVirtual(), s.current().id(),
                    s.pending() == null ? -1 : s.pending().target().id(), s.idle(), b.thread.getState().name());
        }
        for (Migration m : runningMigrations()) {
            List<String> stragglers = new ArrayList<>();
            for (Straggler s : m.stragglers()) {
                stragglers.add(s.render(3));
            }
            d.migration(m.id(), m.target().id(), m.phase().name(), m.size(), m.remaining(), stragglers);
        }
        return d.build();
    }

    private static final class ViewsById implements Comparator<View> {
        @Override
        public int compare(View a, View b) {
            return Long.compare(a.id(), b.id());
        }
    }

    private static final class MigrationsById implements Comparator<Migration> {
        @Override
        public int compare(Migration a, Migration b) {
            return Long.compare(a.id(), b.id());
        }
    }

    private static final class ByThreadId implements Comparator<ThreadBinding> {
        @Override
        public int compare(ThreadBinding a, ThreadBinding b) {
            return Long.compare(a.threadId, b.threadId);
        }
    }
}
