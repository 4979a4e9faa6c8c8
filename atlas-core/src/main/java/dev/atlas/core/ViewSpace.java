package dev.atlas.core;

import dev.atlas.core.observe.SpaceDescription;
import dev.atlas.core.observe.SpaceListener;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The views of a process, and the threads bound to them.
 *
 * <p>A space starts with a base view. New views are {@linkplain #derive(View, String)
 * derived}, prepared and published; threads are {@linkplain #migrate(View) migrated} into
 * them one by one, each at its own quiescence point, while the others keep running; views
 * that no thread can reach any more are retired through a grace period, never a barrier.
 *
 * {@snippet class=dev.atlas.core.snippets.CoreSnippets region=view-space}
 *
 * <h2>Progress guarantees</h2>
 * <ol>
 *   <li>{@link #enter()}, {@link ViewScope#close()} and {@link #quiescent()} with nothing
 *       pending are wait-free, allocation-free after JIT and write no shared cache line.</li>
 *   <li>A thread adopting a migration at its quiescence point, and a migrator moving an
 *       idle thread, are lock-free: each CAS fails only because another party changed the
 *       same thread's binding; neither ever blocks, parks or spins waiting for a thread.</li>
 *   <li>Pins and retirement are wait-free; cleanup actions and listener calls run on the
 *       housekeeper thread, never on a worker.</li>
 *   <li>Only operator calls ({@code derive/publish}, {@code migrate(..).start()},
 *       {@code cancel}, {@code retire}, {@code setDefaultView}) take the space's admin
 *       lock, among themselves; no worker path ever takes it.</li>
 * </ol>
 *
 * <p>Thread safety: all methods may be called from any thread.
 *
 * <p>This class is the space's public API and its binding and operator paths; the mechanisms
 * live in {@link ThreadBinding}, {@link Migration} and {@link View}, the registry of views,
 * threads and migrations and the description built from it in {@code SpaceRegistry}, the
 * events (cleanup, JFR, logs, listeners, on the housekeeper) in {@code SpaceNotices}.
 * Size: about 600 lines, a third of them javadoc, because the binding and operator paths share
 * the admin lock, the default view and the thread-local binding, and split apart they would
 * each need the other's private state.
 */
public final class ViewSpace implements AutoCloseable {
    /*
     * Implementation notes.
     *
     * Registry (SpaceRegistry): a thread registers its binding the first time it uses the
     * space (or explicitly), after pinning its initial view; bindings of dead threads are
     * swept by the housekeeper, every migration start and every description.
     *
     * New threads vs. makeDefault: a thread binding to the default view, and a migration
     * that changes the default and then scans the registry, could miss each other. The
     * binder registers itself and then re-reads the default; the migrator writes the
     * default and then scans (both through volatile accesses). So either the migrator sees
     * the new binding, or the binder sees the new default and moves itself there at once
     * (it is at a quiescence point: no scope is open yet).
     */
    private static final System.Logger LOG = System.getLogger("dev.atlas.core");
    private static final Consumer<ViewBuilder> NO_SETUP = new NoSetup();

    static {
        // Load the ticket class before any worker is compiled: until it is loaded C2 will
        // not inline BindingState.pending() into the quiescent() fast path, and code
        // compiled then is never recompiled (measured: 4.6 vs 2.9 ns per quiescent()).
        loadClass(MigrationTicket.class);
    }

    private static void loadClass(Class<?> c) {
        try {
            Class.forName(c.getName(), true, c.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String name;
    private final View base;
    final SpaceRegistry registry;
    final SpaceNotices notices;
    private final ThreadLocal<ThreadBinding> local = new ThreadLocal<>();
    private final ReentrantLock admin = new ReentrantLock();
    private final AtomicLong viewIds = new AtomicLong();
    private final AtomicLong migrationIds = new AtomicLong();
    private volatile View defaultView;
    private volatile boolean closed;

    private ViewSpace(String name, Consumer<ViewBuilder> baseSetup) {
        this.name = name;
        this.registry = new SpaceRegistry(name);
        this.base = new View(this, viewIds.getAndIncrement(), "base", null, true);
        ViewBuilder builder = new ViewBuilder(this, base, true);
        baseSetup.accept(builder);            // may throw: nothing has been started yet
        builder.publishBase();
        base.acquire(1, "create space");      // the default-view role
        registry.addView(base);
        this.defaultView = base;
        this.notices = new SpaceNotices(name, new Sweep(this));
    }

    /** Creates a space with an empty base view; {@link #close()} it when done. */
    public static ViewSpace create(String name) {
        return create(name, NO_SETUP);
    }

    /**
     * Creates a space whose base view carries what {@code baseSetup} declares: values for
     * {@link ViewKey}s (inherited by every view derived from it) and cleanup actions for
     * when the base view retires. The setup must not publish or abandon the builder; the
     * space publishes it when the setup returns. If the setup throws, no space is created
     * and nothing is left running.
     *
     * {@snippet class=dev.atlas.core.snippets.CoreSnippets region=create-with-base}
     */
    public static ViewSpace create(String name, Consumer<ViewBuilder> baseSetup) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(baseSetup, "baseSetup");
        if (name.isBlank()) {
            throw new IllegalArgumentException("a space needs a non-blank name");
        }
        return new ViewSpace(name, baseSetup);
    }

    public String name() {
        return name;
    }

    /** The view the space started with (id 0). */
    public View baseView() {
        return base;
    }

    /** The view threads are bound to when they first use the space. */
    public View defaultView() {
        return defaultView;
    }

    // ================================================================ worker paths

    /**
     * Opens a scope in the calling thread's current view, binding the thread to the
     * default view first if it is new to the space. Wait-free; no allocation after JIT.
     *
     * @throws IllegalStateException if the space is closed and no scope is open on the thread
     */
    public ViewScope enter() {
        ThreadBinding b = local.get();
        if (b == null) {
            b = bind(null, "enter");
        } else if (b.depth == 0) {
            ensureOpen("enter");   // outermost scope only: a scope running at close finishes its nested ones
        }
        return b.openScope();
    }

    /**
     * Opens a <em>request scope</em>: like {@link #enter()}, but the outermost one marks a
     * request boundary. Opening it is a quiescence point (a migration waiting for the thread
     * takes effect first), and closing it <em>detaches</em> the thread: until it opens its
     * next scope it holds no view, and a migration moves it at once, without waiting for it.
     * So threads between requests never hold up a migration, and each request runs wholly
     * in one view. Nested calls open ordinary nested scopes.
     *
     * {@snippet class=dev.atlas.core.snippets.CoreSnippets region=enter-request}
     *
     * <p>Cost: two compareAndSets on the thread's own binding per outermost request (about
     * 10-40 ns uncontended), nothing more for nested ones.
     *
     * @throws IllegalStateException if the space is closed and no scope is open on the thread
     */
    public ViewScope enterRequest() {
        ThreadBinding b = local.get();
        if (b == null) {
            b = bind(null, "enterRequest");
        } else if (b.depth == 0) {
            ensureOpen("enterRequest");   // outermost scope only (see ThreadBinding's memory ordering)
        }
        return b.openRequestScope();
    }

    /** The calling thread's current view (binding it to the default view if new). */
    public View current() {
        ThreadBinding b = local.get();
        if (b == null) {
            b = bind(null, "current");
        }
        return b.stateForOwner().current();
    }

    /**
     * The view a call made now on this thread runs in: inside a scope, the scope's view;
     * outside every scope, the thread's view at this instant (a detached thread may be moved
     * by a migration at any time, so two calls outside scopes may see different views). A
     * thread new to the space binds <em>detached</em> to the default view, so that it never
     * holds up a migration. For dispatch (code views): a thread-local read and a volatile read.
     */
    public View currentForCall() {
        ThreadBinding b = local.get();
        if (b == null) {
            b = bind(null, "currentForCall");
            if (b.depth == 0) {
                b.enterIdle();
            }
        }
        return b.state().current();
    }

    /**
     * Moves the calling thread to {@code target} now, at its own quiescence point (no scope
     * may be open): SpaceJMP-style switching, a thread choosing its view itself. A migration
     * still waiting for this thread is superseded by the switch. A detached thread stays
     * detached. Lock-free: an atomic pin on the target, one compareAndSet on the thread's
     * own binding, and an atomic unpin of the view it leaves.
     *
     * @return the view the thread left (the same as {@code target} if it was already there)
     * @throws IllegalStateException if a scope is open on the thread, or the space is closed
     * @throws IllegalArgumentException if the view belongs to another space
     * @throws ViewRetiredException if {@code target} is not ACTIVE
     */
    public View switchCurrentThread(View target) {
        checkOwn(target);
        ThreadBinding b = local.get();
        if (b == null) {
            b = bind(null, "switchCurrentThread");
        }
        if (b.depth != 0) {
            throw new IllegalStateException("thread '" + b.thread.getName() + "' cannot switch to view "
                    + target.describe() + " with " + b.depth + " open scope(s); switch between scopes");
        }
        target.acquire(1, "switchCurrentThread");
        final View left = b.switchTo(target);
        if (left == null) {
            target.release(1);
            throw new IllegalStateException("thread '" + b.thread.getName() + "' is no longer bound to space '"
                    + name + "'");
        }
        left.release(1);
        return left;
    }

    /**
     * A quiescence point: if a migration is waiting for this thread and no scope is open
     * on it, the thread moves to the migration's target now. Wait-free when nothing is
     * pending (a thread-local read and a volatile read).
     *
     * @return true if the thread changed view
     */
    public boolean quiescent() {
        final ThreadBinding b = local.get();
        return b != null && b.quiesce();
    }

    /**
     * Runs a blocking call during which the thread counts as quiescent: a migration that
     * asks for it meanwhile moves it at once, and it runs nothing in the old view again.
     * Inside an open scope the call just runs (a thread never changes view in a scope).
     */
    public <T> T awaitIdle(IdleBlocker<T> blocker) throws InterruptedException {
        Objects.requireNonNull(blocker, "blocker");
        ThreadBinding b = local.get();
        if (b == null) {
            b = bind(null, "awaitIdle");
        }
        if (b.depth != 0 || b.stateForOwner().idle()) {
            return blocker.block();   // in a scope: just runs; detached: already movable
        }
        b.enterIdle();
        try {
            return blocker.block();
        } finally {
            b.exitIdle();
            b.quiesce();
        }
    }

    /**
     * Binds the calling thread to the default view.
     *
     * @throws IllegalStateException if it is already bound to this space
     */
    public View bindCurrentThread() {
        return bindCurrentThread(null);
    }

    /**
     * Binds the calling thread to {@code view} (the default view if null).
     *
     * @throws IllegalStateException    if it is already bound to this space, or the space is closed
     * @throws IllegalArgumentException if the view belongs to another space
     * @throws ViewRetiredException     if the view is not ACTIVE
     */
    public View bindCurrentThread(View view) {
        if (view != null) {
            checkOwn(view);
        }
        ThreadBinding existing = local.get();
        if (existing != null) {
            throw new IllegalStateException("thread '" + Thread.currentThread().getName() + "' is already bound to view "
                    + existing.state().current().describe() + " of space '" + name + "'; unbind it first");
        }
        return bind(view, "bindCurrentThread").stateForOwner().current();
    }

    /**
     * Unbinds the calling thread: it leaves its view (which may then retire) and any
     * migration waiting for it counts it as exited.
     *
     * @throws IllegalStateException if it is not bound, or a scope is open
     */
    public void unbindCurrentThread() {
        ThreadBinding b = local.get();
        if (b == null) {
            throw new IllegalStateException("thread '" + Thread.currentThread().getName() + "' is not bound to space '" + name + "'");
        }
        if (b.depth != 0) {
            throw new IllegalStateException("thread '" + Thread.currentThread().getName() + "' has " + b.depth
                    + " open scope(s); close them before unbinding");
        }
        local.remove();
        registry.removeBinding(b);
        b.exit();
    }

    private ThreadBinding bind(View requested, String operation) {
        ensureOpen(operation);
        View v;
        if (requested != null) {
            requested.acquire(1, operation);
            v = requested;
        } else {
            do {
                v = defaultView;   // a stale default is retiring: read again
            } while (!v.tryAcquire(1));
        }
        ThreadBinding b = new ThreadBinding(this, Thread.currentThread(), v);
        registry.addBinding(b);
        local.set(b);
        if (requested == null) {
            View d = defaultView;   // see "New threads vs. makeDefault"
            if (d != v && d.tryAcquire(1)) {
                if (b.moveUnpended(v, d)) {
                    v.release(1);
                } else {
                    d.release(1);   // a ticket arrived first; it will move the thread
                }
            }
        }
        return b;
    }

    // ================================================================ operator paths

    /** Starts preparing a view derived from {@code parent}, named "view-ID". */
    public ViewBuilder derive(View parent) {
        return derive(parent, null);
    }

    /**
     * Starts preparing a view derived from {@code parent}: it inherits every area of its
     * parent, except those the builder declares.
     *
     * @throws IllegalArgumentException if the parent belongs to another space
     * @throws ViewRetiredException     if the parent is preparing or retired
     */
    public ViewBuilder derive(View parent, String viewName) {
        checkOwn(parent);
        admin.lock();
        try {
            ensureOpen("derive");
            ViewState ps = parent.state();
            if (ps == ViewState.PREPARING || ps == ViewState.RETIRED) {
                throw new ViewRetiredException(parent, ps, "derive");
            }
            long id = viewIds.getAndIncrement();
            View v = new View(this, id, viewName == null ? "view-" + id : viewName, parent, true);
            registry.addView(v);
            return new ViewBuilder(this, v);
        } finally {
            admin.unlock();
        }
    }

    View publish(View v, Map<ViewKey<?>, Object> values, List<Runnable> actions) {
        v.publish(values, actions);
        if (LOG.isLoggable(Level.DEBUG)) {
            LOG.log(Level.DEBUG, "space '" + name + "': published view " + v.describe() + " diverging in "
                    + values.keySet());
        }
        return v;
    }

    void abandon(View v, List<Runnable> actions) {
        admin.lock();
        try {
            v.publish(Map.of(), actions);   // no migration can start while we hold the lock
            v.requestRetirement();
        } finally {
            admin.unlock();
        }
    }

    /**
     * Makes {@code view} the default for threads that bind from now on.
     *
     * @throws ViewRetiredException if it is not ACTIVE
     */
    public void setDefaultView(View view) {
        checkOwn(view);
        admin.lock();
        try {
            ensureOpen("setDefaultView");
            view.acquire(1, "setDefaultView");
            View old = defaultView;
            defaultView = view;
            old.release(1);
        } finally {
            admin.unlock();
        }
    }

    /** Selects threads to move into {@code target}; see {@link MigrationRequest}. */
    public MigrationRequest migrate(View target) {
        checkOwn(target);
        ensureOpen("migrate");
        return new MigrationRequest(this, target);
    }

    Migration startMigration(View target, Predicate<Thread> selector, boolean makeDefault) {
        final long requestedNanos = System.nanoTime();   // delays count from the request
        admin.lock();
        try {
            ensureOpen("migrate");
            registry.sweep();
            View previousDefault = null;
            if (makeDefault) {
                target.acquire(1, "migrate (makeDefault)");
                previousDefault = defaultView;   // keeps its role pin until the migration finishes
                defaultView = target;
            }
            List<ThreadBinding> selected = registry.select(selector);
            try {
                target.acquire(selected.size(), "migrate");
            } catch (ViewRetiredException e) {
                if (makeDefault) {   // all-or-nothing
                    defaultView = previousDefault;
                    target.release(1);
                }
                throw e;
            }
            Migration m = new Migration(this, migrationIds.incrementAndGet(), target, selected, previousDefault,
                    requestedNanos);
            registry.addRunning(m);
            if (LOG.isLoggable(Level.DEBUG)) {
                LOG.log(Level.DEBUG, "space '" + name + "': migration " + m.id() + " of " + selected.size()
                        + " thread(s) to view " + target.describe());
            }
            m.launch();
            return m;
        } finally {
            admin.unlock();
        }
    }

    boolean cancel(Migration m) {
        admin.lock();
        try {
            return m.cancelLocked();
        } finally {
            admin.unlock();
        }
    }

    /**
     * Admin lock held: undoes a migration's makeDefault, unless the default changed since
     * or the old default has been asked to retire meanwhile (the default view is never
     * RETIRING: retire() refuses it, and this is the only other way a view becomes default
     * without a fresh acquire).
     */
    void restoreDefaultLocked(View target, View previous) {
        if (defaultView == target && previous.state() == ViewState.ACTIVE) {
            defaultView = previous;     // the kept role pin moves back with the role
            target.release(1);
        } else {
            previous.release(1);
        }
    }

    void retire(View v) {
        checkOwn(v);
        admin.lock();
        try {
            if (v == defaultView) {
                throw new IllegalStateException("view " + v.describe() + " is the default view of space '" + name
                        + "'; make another view the default (setDefaultView or makeDefault) before retiring it");
            }
            ViewState st = v.state();
            if (st == ViewState.PREPARING) {
                throw new IllegalStateException("view " + v.describe() + " is still PREPARING; use its builder's abandon()");
            }
            if (!v.requestRetirement()) {
                throw new ViewRetiredException(v, v.state(), "retire");
            }
            if (LOG.isLoggable(Level.DEBUG)) {
                LOG.log(Level.DEBUG, "space '" + name + "': retirement of view " + v.describe() + " requested, "
                        + v.pins() + " pin(s) left");
            }
        } finally {
            admin.unlock();
        }
    }

    // ================================================================ listeners and introspection

    /**
     * Listeners are called in order on the housekeeper thread.
     *
     * {@snippet class=dev.atlas.core.snippets.CoreSnippets region=listener}
     */
    public void addListener(SpaceListener listener) {
        notices.addListener(listener);
    }

    public boolean removeListener(SpaceListener listener) {
        return notices.removeListener(listener);
    }

    /**
     * What the space looks like now: views, threads per view, running migrations.
     *
     * {@snippet class=dev.atlas.core.snippets.CoreSnippets region=describe}
     */
    public SpaceDescription describe() {
        return registry.describe(defaultView.id());
    }

    /** Views not yet retired, by id. */
    public List<View> views() {
        return registry.views();
    }

    /** Migrations not yet finished. */
    public List<Migration> runningMigrations() {
        return registry.runningMigrations();
    }

    /** Number of threads bound to the space and not known to be dead. */
    public int boundThreads() {
        return registry.boundThreads();
    }

    /**
     * Releases the bindings of threads that died without unbinding (also done every
     * 100 ms by the housekeeper, and at every migration start and description).
     *
     * @return how many were released
     */
    public int reclaimDeadThreads() {
        return registry.sweep();
    }

    private void sweepQuietly() {
        int n = registry.sweep();
        if (n > 0) {
            if (LOG.isLoggable(Level.DEBUG)) {
                LOG.log(Level.DEBUG, "space '" + name + "': released " + n + " binding(s) of dead threads");
            }
        }
    }

    /** The housekeeper's periodic job; a class, not a lambda (no call-site linkage). */
    private record Sweep(ViewSpace space) implements Runnable {
        @Override
        public void run() {
            space.sweepQuietly();
        }
    }

    private record NoSetup() implements Consumer<ViewBuilder> {
        @Override
        public void accept(ViewBuilder base) {
        }
    }

    // ================================================================ lifecycle

    private void checkOwn(View v) {
        Objects.requireNonNull(v, "view");
        if (v.space() != this) {
            throw new IllegalArgumentException("view " + v.describe() + " belongs to space '" + v.space().name()
                    + "', not to space '" + name + "'");
        }
    }

    /** @throws IllegalStateException naming {@code operation} if the space is closed (a volatile read) */
    void ensureOpen(String operation) {
        if (closed) {
            throw closedError(operation);
        }
    }

    private IllegalStateException closedError(String operation) {
        return new IllegalStateException(operation + ": space '" + name + "' is closed");
    }

    public boolean isClosed() {
        return closed;
    }

    /**
     * Closes the space: no new view, migration, thread binding or outermost scope is
     * accepted ({@link #enter()} and {@link #enterRequest()} outside every scope throw); a
     * thread inside a scope at close runs to its end, its nested scopes included. Threads already bound
     * keep their views; a view retires as before when its last thread leaves,
     * with its cleanup run on the thread that released it. Idempotent.
     */
    @Override
    public void close() {
        admin.lock();
        try {
            if (closed) return;
            closed = true;
        } finally {
            admin.unlock();
        }
        notices.close();
    }

    @Override
    public String toString() {
        return "ViewSpace['" + name + "', " + registry.viewCount() + " views, " + boundThreads() + " threads]";
    }
}
