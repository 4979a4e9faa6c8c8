package dev.atlas.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One view of the process: the code and off-heap memory a thread sees. Views of a
 * {@link ViewSpace} are kept in sync (they share the managed heap and every area they
 * do not declare), and diverge only in the areas named by their {@link ViewKey}s.
 *
 * <p>A view is derived from a parent with {@link ViewSpace#derive(View)}, prepared off to
 * the side, and {@linkplain ViewBuilder#publish() published} immutable. Threads are then
 * migrated into it at their quiescence points; once {@linkplain #retire() retirement} is
 * requested and the last thread has left, its cleanup actions run exactly once.
 *
 * {@snippet class=dev.atlas.core.snippets.CoreSnippets region=view}
 *
 * <p>Thread safety: all methods may be called from any thread.
 */
public final class View {
    /*
     * Implementation notes.
     *
     * The lifecycle of a view is one 64-bit word, changed only by atomic read-modify-write
     * (getAndAdd, getAndBitwiseOr/And, compareAndSet):
     *
     *   63   62        61       60         59 .. 32   31 .. 0
     *   +---+---------+--------+----------+----------+------------------+
     *   | 0 | RETIRING| RETIRED| PREPARING|  unused  |  pins (count)    |
     *   +---+---------+--------+----------+----------+------------------+
     *
     * A pin is one reason the view is still reachable:
     *   - one per thread bound to the view (ThreadBinding.state.current == this),
     *   - one per migration ticket that targets the view and is not settled,
     *   - one per migrated thread whose migration is still running (kept for cancel),
     *   - one for the space's default-view role.
     *
     * Invariants:
     *   I1. RETIRED is set at most once, by the single successful compareAndSet from
     *       (RETIRING | pins == 0 | !RETIRED) to the same value | RETIRED. The thread that
     *       wins it runs the retirement (cleanup exactly once).
     *   I2. While RETIRING or PREPARING is set, no pin is ever *kept* by an acquire: acquire
     *       adds optimistically, sees the flag and undoes through release(), which itself
     *       attempts the I1 transition. So a failed acquire can never hide the moment the
     *       count reaches zero: whoever brings it to zero tries to finish.
     *   I3. Once RETIRING is set the count only goes down, except for transient failed
     *       acquires, each of which undoes itself.
     *
     * Progress: acquire, release and the retirement request are wait-free (a bounded
     * number of atomic instructions, no retry loop). Finishing is one compareAndSet that
     * may fail only because another thread finished, or a transient acquire is in flight
     * and will try again itself.
     */

    static final long PINS_MASK = 0xFFFF_FFFFL;
    static final long PREPARING = 1L << 60;
    static final long RETIRED = 1L << 61;
    static final long RETIRING = 1L << 62;

    private static final VarHandle LIFECYCLE;

    static {
        try {
            LIFECYCLE = MethodHandles.lookup().findVarHandle(View.class, "lifecycle", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ViewSpace space;
    private final long id;
    private final String name;
    /**
     * Weak: a retired view is dropped by its space, and a chain of descendants (every patch
     * and rollback derives a view from the current default) must not keep it, and the values
     * it held, alive.
     */
    private final java.lang.ref.WeakReference<View> parent;
    /**
     * Strong until {@link #publish}: a view being prepared (memory areas declared against its
     * ancestors' layouts) keeps its parent even if that retires meanwhile.
     */
    private View parentWhilePreparing;
    private final long createdNanos;
    /** Canonical binding states for threads in this view with no pending migration. */
    final BindingState runningState;
    final BindingState idleState;

    // Written by the preparing thread, then published by the release in publish().
    private Map<ViewKey<?>, Object> values;
    private Set<ViewKey<?>> divergences;
    private List<Runnable> retireActions;

    @SuppressWarnings("unused") // accessed through LIFECYCLE
    private volatile long lifecycle;

    View(ViewSpace space, long id, String name, View parent, boolean preparing) {
        this.space = space;
        this.id = id;
        this.name = name;
        this.parent = parent == null ? null : new java.lang.ref.WeakReference<>(parent);
        this.parentWhilePreparing = parent;
        this.createdNanos = System.nanoTime();
        this.runningState = new BindingState(this, null, false, false);
        this.idleState = new BindingState(this, null, true, false);
        this.values = parent == null ? Map.of() : parent.values;
        this.divergences = Set.of();
        this.retireActions = List.of();
        this.lifecycle = preparing ? PREPARING : 0L;
    }

    /** A number unique within the space; the base view is 0. */
    public long id() {
        return id;
    }

    /** The name given when the view was derived ("base" for the base view). */
    public String name() {
        return name;
    }

    /**
     * The view this one was derived from; empty for the base view, and once that view retired
     * and nothing else holds it.
     */
    public Optional<View> parent() {
        View p = parentWhilePreparing;
        return Optional.ofNullable(p != null ? p : parent == null ? null : parent.get());
    }

    /** The space this view belongs to. */
    public ViewSpace space() {
        return space;
    }

    /** The current state; a reading that may be stale as soon as it returns. */
    public ViewState state() {
        return stateOf((long) LIFECYCLE.getVolatile(this));
    }

    /**
     * The value this view holds for {@code key}: its own if it diverges in that area,
     * otherwise the one inherited from its parent at derivation time; {@code null} if no
     * view on its parent chain declared it.
     *
     * @throws IllegalStateException if the view is still preparing
     */
    public <T> T get(ViewKey<T> key) {
        Objects.requireNonNull(key, "key");
        if (((long) LIFECYCLE.getAcquire(this) & PREPARING) != 0) {
            throw new IllegalStateException("view " + describe() + " is still PREPARING; publish() it before reading it");
        }
        return key.cast(values.get(key));
    }

    /** The areas in which this view diverges from its parent. */
    public Set<ViewKey<?>> divergences() {
        return divergences;
    }

    /**
     * Requests retirement: from now on no thread may be bound or migrated to this view;
     * once the last bound thread has left (and no running migration can send one back),
     * the view becomes {@link ViewState#RETIRED} and its cleanup actions run, exactly once,
     * on the space's housekeeper thread. Never blocks and never waits for a thread.
     * Threads already on their way in (pending tickets of a migration started earlier)
     * still arrive, and keep the view alive until they leave; cancel that migration to stop
     * them.
     *
     * @throws ViewRetiredException if retirement was already requested (nothing changes)
     * @throws IllegalStateException if this is the space's default view, or still preparing
     */
    public void retire() {
        space.retire(this);
    }

    /** Number of live threads bound to this view right now (a scan; for introspection). */
    public int boundThreads() {
        return space.registry.countBoundThreads(this);
    }

    /** Pins currently held on this view (bound threads, tickets, migrations, default role). */
    public int pins() {
        return (int) ((long) LIFECYCLE.getVolatile(this) & PINS_MASK);
    }

    long createdNanos() {
        return createdNanos;
    }

    String describe() {
        return id + " '" + name + "'";
    }

    @Override
    public String toString() {
        return "View[" + id + " '" + name + "' " + state() + "]";
    }

    // ---------------------------------------------------------------- lifecycle word

    static ViewState stateOf(long w) {
        if ((w & RETIRED) != 0) return ViewState.RETIRED;
        if ((w & RETIRING) != 0) return ViewState.RETIRING;
        if ((w & PREPARING) != 0) return ViewState.PREPARING;
        return ViewState.ACTIVE;
    }

    /**
     * Adds {@code n} pins if the view is ACTIVE.
     *
     * @throws ViewRetiredException naming {@code operation} if it is not; nothing kept
     */
    void acquire(int n, String operation) {
        if (!tryAcquire(n)) {
            throw new ViewRetiredException(this, state(), operation);
        }
    }

    /** Adds {@code n} pins if the view is ACTIVE; returns false (and keeps none) otherwise. */
    boolean tryAcquire(int n) {
        long before = (long) LIFECYCLE.getAndAdd(this, (long) n);
        if ((before & (PREPARING | RETIRING)) != 0) {
            release(n); // I2: undo, and finish retirement if the undo reaches zero
            return false;
        }
        return true;
    }

    /** Drops {@code n} pins; the release that brings a retiring view to zero retires it. */
    void release(int n) {
        long after = (long) LIFECYCLE.getAndAdd(this, (long) -n) - n;
        if ((after & (PINS_MASK | RETIRED | RETIRING)) == RETIRING) {
            tryFinishRetirement(after);
        }
    }

    /** Sets RETIRING; returns false if it was already set. Admin path (space lock held). */
    boolean requestRetirement() {
        long before = (long) LIFECYCLE.getAndBitwiseOr(this, RETIRING);
        if ((before & RETIRING) != 0) {
            return false;
        }
        if ((before & PINS_MASK) == 0) {
            tryFinishRetirement(before | RETIRING);
        }
        return true;
    }

    private void tryFinishRetirement(long expected) {
        if (LIFECYCLE.compareAndSet(this, expected, expected | RETIRED)) { // I1
            space.registry.removeView(this);
            space.notices.onViewRetired(this);
        }
    }

    /** Freezes what the builder declared and makes the view ACTIVE (release). */
    void publish(Map<ViewKey<?>, Object> ownValues, List<Runnable> actions) {
        Map<ViewKey<?>, Object> merged = new java.util.HashMap<>(values);
        merged.putAll(ownValues);
        this.values = Map.copyOf(merged);
        this.divergences = Set.copyOf(ownValues.keySet());
        this.retireActions = List.copyOf(actions);
        this.parentWhilePreparing = null;
        LIFECYCLE.getAndBitwiseAnd(this, ~PREPARING); // volatile RMW: publishes the fields above
    }

    List<Runnable> retireActions() {
        return retireActions;
    }
}
