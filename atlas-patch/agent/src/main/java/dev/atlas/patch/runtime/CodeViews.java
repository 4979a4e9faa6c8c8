package dev.atlas.patch.runtime;

import dev.atlas.core.Migration;
import dev.atlas.core.MigrationReport;
import dev.atlas.core.View;
import dev.atlas.core.ViewBuilder;
import dev.atlas.core.ViewKey;
import dev.atlas.core.ViewSpace;
import dev.atlas.patch.format.Patch;
import dev.atlas.patch.shadow.ShadowFields;

import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MutableCallSite;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Code views: the view space in which each view holds a {@link CodeTable} (the method
 * bodies it overrides), the registry of patchable methods, the shadow fields, and the stack
 * of applied patches. The agent creates one and owns it ({@code AgentInstaller}); a test or
 * a benchmark may create its own, independent of every other.
 *
 * {@snippet class=dev.atlas.patch.snippets.AgentSnippets region=code-views}
 *
 * <p>Applying a patch: prepare it beside the running code (define, verify, link: nothing
 * visible), publish a view derived from the current default whose table adds the patch's
 * bodies, switch on the entry guards of the replaced methods (then
 * {@link MutableCallSite#syncAll}), run its state-transfer hooks in that view, and migrate every thread into the new view,
 * which becomes the default. A thread inside a request keeps the old code until the request
 * ends; a thread between requests (detached) moves at once; a new thread starts in the new
 * view. Rollback migrates every thread back to the view the patch was applied on; a patch
 * that is not the newest (one program's patch, {@link LoaderScope}, while another program's
 * patch came after it) is rolled back by a new view: the current default's table with that
 * patch's entries set back to what they were before it, every other patch's kept.
 *
 * <p>Implementation notes: the order "publish table, switch guards, syncAll, start the
 * migration" matters. A guard still off runs the original body; that is right for threads
 * in a view that does not override the method, and no thread can be in the new view before
 * the migration starts, after every guard it needs is on and synchronised. Guards are never
 * switched off again (after a rollback a guard costs a table probe per call, and a view that
 * still overrides the method may come back), except the guards of methods that are not
 * instrumented (the JDK's), which every object pays: those are off while no view that is not
 * retired overrides the method ({@link ForeignGuardUse}). Operator calls are serialised by a lock; no
 * application thread ever takes it. Invariants of the stack of applied patches (under the
 * lock): 1. each entry knows what its patch set (method ids and class fingerprints) and what
 * they were before; 2. no two entries of the same patch id have overlapping scopes; 3. an
 * entry whose {@code previous} view may still run the code of a patch rolled back since
 * ({@code previousStale}) is itself rolled back by a new view, never by going back to
 * {@code previous}; 4. a patch is rolled back only if no patch applied after it set one of the
 * same method ids or class fingerprints (it would be built on its code); 5. no entry's target or
 * previous view holds a body of a loader released by {@link #forgetLoader}.
 *
 * <p>Size: about 600 lines, over the project's 500, because every operation on the stack of
 * applied patches (apply, rollback, releasing a loader) keeps the invariants above under the
 * one lock and rewrites the private entries; split apart, each part would need them.
 *
 * <p>Patches come in through a {@link PatchPipeline} (the JIT window, the agent's warm-up,
 * the work scheduled after the migration); this class is the mechanism it drives.
 *
 * <p>Threading: shared; {@code apply}, {@code rollback} are operator calls.
 */
public final class CodeViews {
    private static final System.Logger LOG = System.getLogger("dev.atlas.patch");

    /** The per-view code table. */
    public static final ViewKey<CodeTable> CODE = ViewKey.of("code", CodeTable.class);

    private final ViewSpace space = ViewSpace.create("code", new EmptyCodeBase());
    private final MethodRegistry registry = new MethodRegistry(space);
    private final ShadowFields fields = new ShadowFields();
    private final PatchPreparer preparer;
    private final PackageDefiner packages;
    private final ForeignGuardUse foreignUse;

    private final ReentrantLock lock = new ReentrantLock();
    private final Deque<Applied> applied = new ArrayDeque<>();   // newest first; guarded by lock
    private final Set<MethodSlot> activeSlots = new java.util.LinkedHashSet<>();   // guarded by lock

    /** New code views: no patch applied, no method registered yet; patches that add packages are refused. */
    public CodeViews() {
        this(PackageDefiner.UNAVAILABLE);
    }

    /**
     * New code views whose patches may add classes in new packages, defined by {@code packages};
     * new overrides of methods that are not instrumented are refused.
     */
    public CodeViews(PackageDefiner packages) {
        this(packages, ForeignMethodGuards.UNAVAILABLE);
    }

    /**
     * New code views whose patches may add classes in new packages, defined by {@code packages},
     * and new overrides of methods that are not instrumented, which {@code foreign} gives an entry guard.
     */
    public CodeViews(PackageDefiner packages, ForeignMethodGuards foreign) {
        this.preparer = new PatchPreparer(registry, fields, Objects.requireNonNull(packages, "packages"),
                Objects.requireNonNull(foreign, "foreign"));
        this.foreignUse = new ForeignGuardUse(space, foreign);
        this.packages = packages;
    }

    public ViewSpace space() {
        return space;
    }

    public MethodRegistry registry() {
        return registry;
    }

    /** The fields the applied patches added (kept across rollbacks). */
    public ShadowFields shadowFields() {
        return fields;
    }

    /**
     * Applies a patch: prepares it, publishes its view and starts migrating every thread into
     * it; returns once the migration has started (see {@link PatchApplication#migration()}).
     * What the preparation cost is in {@link PatchApplication#preparation()}.
     *
     * @param jitPriority what the pipeline did to the JIT's priority for this change
     * @throws PatchRejectedException if the patch does not fit this process; nothing changed
     */
    PatchApplication apply(Patch patch, String jitPriority) {
        return apply(patch, jitPriority, LoaderScope.ALL);
    }

    /**
     * As {@link #apply(Patch, String)}, changing only the copies of the patched classes that
     * {@code scope}'s loaders loaded: threads running other loaders' copies move into the new
     * view too, whose table has no entry for those copies' methods, so they run as before.
     */
    PatchApplication apply(Patch patch, String jitPriority, LoaderScope scope) {
        Objects.requireNonNull(patch, "patch");
        Objects.requireNonNull(scope, "scope");
        lock.lock();
        try {
            checkNotApplied(patch, scope);
            View parent = space.defaultView();
            PreparationCost.Meter meter = PreparationCost.start();
            PreparedPatch p = preparer.prepare(patch, parent.get(CODE), scope);
            View view = publish(parent, "patch " + PatchApplication.appliedId(patch.id(), scope), p.table(), p.slotsToActivate(), false);
            runTransferHooks(p, view);
            PreparationCost prepared = meter.stop();
            cacheDefault(view);
            prime(p.slotsToActivate());
            Migration m = space.migrate(view).allThreads().makeDefault().start();
            PatchApplication a = new PatchApplication(patch.id(), false, view, parent, m, p.replacedMethods(),
                    p.addedMethods(), p.shadowFields(), p.addedClasses(), prepared, jitPriority, scope, p.addedClassNames(),
                    unapplied(patch, p), p.objectRebuilds());
            applied.push(new Applied(a, parent.get(CODE), p.table()));
            logApplied(a, p, scope);
            return a;
        } finally {
            lock.unlock();
        }
    }

    private void checkNotApplied(Patch patch, LoaderScope scope) {
        for (Applied e : applied) {
            PatchApplication a = e.app;
            if (a.patchId().equals(patch.id()) && a.scope().overlaps(scope)) {
                throw new PatchRejectedException("patch " + patch.id() + " is already applied"
                        + (a.scope().name() == null ? " to every class loader" : a.scope().describe()) + " (in view "
                        + e.target.name() + "); roll it back first");
            }
        }
    }

    /**
     * Runs the patch's state-transfer hooks in its new view (so they may call code the patch
     * adds or changes), on a thread of their own bound to it, before any application thread
     * is there. If one fails, the view retires unused and the patch is rejected with a
     * {@link TransferHookFailedException} naming the hooks that ran: the default view, its
     * code and its threads are as before, and the patch can be applied again.
     */
    private void runTransferHooks(PreparedPatch p, View view) {
        TransferHooks.runIn(space, view, p, packages);
    }

    private static void logApplied(PatchApplication a, PreparedPatch p, LoaderScope scope) {
        Migration m = a.migration();
        if (LOG.isLoggable(Level.INFO)) {
            LOG.log(Level.INFO, "patch " + a.patchId() + " applied" + scope.describe() + ": view '" + a.target().name() + "', "
                    + p.replacedMethods() + " method(s) replaced, " + p.addedMethods() + " added, " + p.shadowFields()
                    + " shadow field(s), " + p.addedClasses() + " class(es) added; migrating " + m.size() + " thread(s)");
        }
    }

    /**
     * The one way a code view comes to be (a patch, a variant, the warm-up's view): published
     * beside {@code parent} with {@code table}, the guards it needs switched on and
     * synchronised, and every active guard's cache set for the view that is, or is about to
     * be, the default ({@code becomesDefault}: this one); the guards of JDK methods it overrides
     * are switched on, and off again once no view that needs them is left ({@link ForeignGuardUse}).
     * Under the lock.
     */
    private View publish(View parent, String name, CodeTable table, Collection<MethodSlot> guards,
                         boolean becomesDefault) {
        ViewBuilder b = space.derive(parent, name).diverge(CODE, table);
        View view = b.onRetire(new ForeignGuardUse.Settle(foreignUse, b.view())).publish();
        activate(guards);
        foreignUse.published(view, activeSlots);   // JDK methods' guards: on before any thread can enter
        cacheDefault(becomesDefault ? view : space.defaultView());   // other threads keep the fast path
        return view;
    }

    /**
     * Rolls back the newest patch: migrates every thread back to the view it was applied on
     * (which becomes the default again); the patch's view retires once its last thread left.
     *
     * @param jitPriority what the pipeline did to the JIT's priority for this change
     * @throws IllegalStateException if no patch is applied
     */
    PatchApplication rollback(String jitPriority) {
        return rollback(jitPriority, LoaderScope.ALL);
    }

    /**
     * Rolls back the newest patch applied in {@code scope} (for {@link LoaderScope#ALL}: the
     * newest patch, whatever its scope); the patches of other scopes stay applied. The newest
     * patch of all goes back to the view it was applied on; another gets a new view whose table
     * is the current default's without it. Either way every thread migrates and the view left
     * retires once its last thread left.
     *
     * @throws IllegalStateException if no patch is applied in {@code scope}, or a patch applied
     *         after it changed the same methods (roll that one back first); nothing changed
     */
    PatchApplication rollback(String jitPriority, LoaderScope scope) {
        Objects.requireNonNull(scope, "scope");
        lock.lock();
        try {
            Applied e = newestIn(scope);
            PatchApplication a = e.app;
            View back;
            View leaving;
            if (e == applied.peek() && !e.previousStale) {
                back = a.previous();
                leaving = e.target;
                cacheDefault(back);
            } else {
                checkNothingBuiltOn(e);
                leaving = space.defaultView();
                CodeTable t = leaving.get(CODE).reverted(e.restoreHandles, e.restoreFingerprints, a.appliedId());
                back = publish(leaving, "rollback " + a.appliedId(), t, List.of(), true);
            }
            Migration m = space.migrate(back).allThreads().makeDefault().start();
            boolean newer = true;
            for (Applied x : applied) {
                if (x == e) {
                    newer = false;
                } else if (newer) {
                    x.previousStale |= back != a.previous();
                    if (x.target == leaving) {
                        x.target = back;
                    }
                }
            }
            applied.remove(e);
            m.completion().whenComplete(new RetireWhenDone(leaving));
            if (e.target != leaving) {
                retireUnused(e.target);
            }
            if (LOG.isLoggable(Level.INFO)) {
                LOG.log(Level.INFO, "patch " + a.appliedId() + " rolled back: migrating " + m.size()
                        + " thread(s) to view '" + back.name() + "'");
            }
            return new PatchApplication(a.patchId(), true, back, leaving, m, a.replacedMethods(),
                    a.addedMethods(), a.shadowFields(), a.addedClasses(), null, jitPriority, a.scope(), a.addedClassNames(),
                    a.unappliedChanges(), a.objectRebuilds());
        } finally {
            lock.unlock();
        }
    }

    /** What the patch reports as not applied, then the classes whose new code the preparation deferred. */
    private static List<String> unapplied(Patch patch, PreparedPatch p) {
        if (p.deferredClasses().isEmpty()) {
            return patch.unappliedChanges();
        }
        List<String> all = new java.util.ArrayList<>(patch.unappliedChanges());
        all.addAll(p.deferredClasses());
        return all;
    }

    private Applied newestIn(LoaderScope scope) {
        for (Applied e : applied) {
            if (scope.name() == null || scope.equals(e.app.scope())) {
                return e;
            }
        }
        throw new IllegalStateException("no patch is applied" + scope.describe() + ": nothing to roll back");
    }

    /** Refuses to take {@code e} out from under a newer patch that set one of the same methods or classes. */
    private void checkNothingBuiltOn(Applied e) {
        for (Applied x : applied) {
            if (x == e) {
                return;
            }
            if (!java.util.Collections.disjoint(x.restoreHandles.keySet(), e.restoreHandles.keySet())
                    || !java.util.Collections.disjoint(x.restoreFingerprints.keySet(), e.restoreFingerprints.keySet())) {
                throw new IllegalStateException("patch " + e.app.appliedId() + " cannot be rolled back while patch "
                        + x.app.appliedId() + ", applied after it, changes the same classes: roll that one back first");
            }
        }
    }

    /** Retires a patch view that no thread is sent to any more (one between two others on the stack). */
    private void retireUnused(View v) {
        if (v != space.defaultView() && v.state() != dev.atlas.core.ViewState.RETIRING
                && v.state() != dev.atlas.core.ViewState.RETIRED) {
            try {
                v.retire();
            } catch (IllegalStateException ignored) {
                // retired meanwhile, or the default: left as it is
            }
        }
    }

    /**
     * Publishes a variant of the current default view (see {@code dev.atlas.patch.variant}):
     * the given methods get the given bodies, those in {@code wrapping} may call the body they
     * wrap. No thread is moved: migrate the threads that should run the variant into it.
     */
    public View publishVariant(String name, Map<MethodSlot, MethodHandle> bodies, Set<MethodSlot> wrapping) {
        lock.lock();
        try {
            View parent = space.defaultView();
            Map<Integer, MethodHandle> byId = new HashMap<>();
            Set<Integer> wrapIds = new HashSet<>();
            for (Map.Entry<MethodSlot, MethodHandle> e : bodies.entrySet()) {
                byId.put(e.getKey().id(), e.getValue());
                if (wrapping.contains(e.getKey())) {
                    wrapIds.add(e.getKey().id());
                }
            }
            CodeTable table = parent.get(CODE).with(byId, wrapIds, Map.of(), null);
            View view = publish(parent, name, table, bodies.keySet(), false);
            installInlineCaches();
            return view;
        } finally {
            lock.unlock();
        }
    }

    /** The exact-typed handle running {@code slot}'s own body (invokespecial semantics; its guard still applies). */
    public MethodHandle ownBody(MethodSlot slot) {
        return ownBodyOf(slot);
    }

    static MethodHandle ownBodyOf(MethodSlot slot) {
        MethodHandle foreign = slot.foreignOwnBody;
        if (foreign != null) {
            return foreign;   // a method with a guard from ForeignMethodGuards (a JDK class: no FullLookups there)
        }
        Class<?> c = slot.ownerClass();
        MethodHandles.Lookup l = FullLookups.of(c);
        MethodType t = MethodType.fromMethodDescriptorString(slot.descriptor(), c.getClassLoader());
        try {
            return slot.isStatic() ? l.findStatic(c, slot.name(), t) : l.findSpecial(c, slot.name(), t, c);
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException("cannot reach " + slot.describe() + ": " + e, e);
        }
    }

    private void activate(Collection<MethodSlot> slots) {
        List<MutableCallSite> sites = new ArrayList<>();
        for (MethodSlot s : slots) {
            if (s.activate()) {
                sites.add(s.site);
                activeSlots.add(s);
            }
        }
        if (!sites.isEmpty()) {
            MutableCallSite.syncAll(sites.toArray(new MutableCallSite[0]));
        }
    }

    /**
     * Installs now, in every active slot, the invoke site's inline cache for the newest body
     * it was given (the pipeline does it a second after each migration; benchmarks and tests
     * call it directly). Idempotent:
     * a later patch's or rollback's caches win, whichever call comes last.
     *
     * @return how many inline caches changed
     */
    public int installInlineCaches() {
        lock.lock();
        try {
            int changed = 0;
            for (MethodSlot s : activeSlots) {
                if (s.installCache()) {
                    changed++;
                }
            }
            return changed;
        } finally {
            lock.unlock();
        }
    }

    /** See {@link MethodSlot#prime()}; a failure only costs the first caller that work. */
    private static void prime(List<MethodSlot> slots) {
        for (MethodSlot s : slots) {
            try {
                s.prime();
            } catch (Throwable t) {
                if (LOG.isLoggable(Level.DEBUG)) {
                    LOG.log(Level.DEBUG, "could not prime " + s.describe() + ": " + t);
                }
            }
        }
    }

    /**
     * Caches, in every active guard, the body that {@code view} (about to be the default)
     * runs, so that threads in it dispatch with one view read and a compare; and primes the
     * invoke sites' inline caches with the same bodies, so that the JIT can inline them.
     * Wrappers (variants) are never cached: they go through the table.
     */
    private void cacheDefault(View view) {
        CodeTable t = view.get(CODE);
        List<MutableCallSite> sites = new ArrayList<>();
        for (MethodSlot s : activeSlots) {
            int i = t.index(s.id());
            if (i >= 0 && t.wrapperAt(i)) {
                continue;
            }
            MethodHandle h = i < 0 ? null : t.handleAt(i);
            s.cacheView(view, h);
            s.cache(h);   // null too (a rollback to the original body): no slot keeps a retired patch's body class
            sites.add(s.site);
        }
        if (!sites.isEmpty()) {
            MutableCallSite.syncAll(sites.toArray(new MutableCallSite[0]));
        }
    }

    /**
     * The warm-up's view ({@code dev.atlas.patch.warmup}): {@code patch} prepared on top of
     * {@code parent} and published, its guards switched on; not the default, not on the stack
     * of applied patches, and no thread moved into it.
     */
    public View publishWarmupView(Patch patch, View parent) {
        lock.lock();
        try {
            PreparedPatch p = preparer.prepare(patch, parent.get(CODE));
            View view = publish(parent, "atlas-warmup", p.table(), p.slotsToActivate(), false);
            installInlineCaches();   // at start-up: the machinery is exercised here, not first a second after a patch
            return view;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Releases {@code scope}'s loader, whose code will not run again (an ended program's, its
     * own patches rolled back): its guards leave the set each patch updates and drop their
     * invoke sites ({@link MethodSlot#release}); and if a patch applied to every loader gave
     * its methods new bodies (classes defined in that loader), a view without those bodies is
     * published and every thread migrates to it (the others' bodies stay: the patch stays
     * applied to them), so that nothing here keeps the loader reachable.
     *
     * <p>Implementation notes: the bodies are held by the tables of the views that ran them:
     * the default, each applied patch's view and the view it was applied on (the entry's
     * {@code previous}), and its migration (which keeps its target and the default it replaced).
     * After the release an entry whose target or previous view holds a released body points to
     * the new view instead, with no migration (it ran long ago), and is {@code previousStale}:
     * its rollback builds a new view from the default's table, as for a patch that is not the
     * newest, never going back to a view that held the released bodies.
     */
    public void forgetLoader(LoaderScope scope) {
        if (scope.name() == null) {
            throw new IllegalArgumentException("forgetLoader needs one class loader's scope, not every loader");
        }
        lock.lock();
        try {
            List<MethodSlot> slots = new ArrayList<>();
            Set<Integer> released = new HashSet<>();
            for (MethodSlot s : activeSlots) {
                ClassLoader l = s.loader.get();
                if (l != null && scope.includes(l)) {
                    slots.add(s);
                    released.add(s.id());
                }
            }
            dropBodies(scope, released);   // first: the new default's guard caches, its slots' included, hold no released body
            for (MethodSlot s : slots) {
                s.release();
                activeSlots.remove(s);
            }
            preparer.forgetLoader(scope);
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock: publishes the default's table without the {@code released} methods' entries, if it has any. */
    private void dropBodies(LoaderScope scope, Set<Integer> released) {
        for (Applied x : applied) {
            x.restoreHandles.keySet().removeAll(released);
        }
        View current = space.defaultView();
        Map<Integer, CodeTable.Entry> drop = new HashMap<>();
        for (Integer id : released) {
            if (current.get(CODE).index(id) >= 0) {
                drop.put(id, null);
            }
        }
        if (drop.isEmpty()) {
            return;
        }
        CodeTable t = current.get(CODE).reverted(drop, Map.of(), null);
        View back = publish(current, "release " + scope.name(), t, List.of(), true);
        Migration m = space.migrate(back).allThreads().makeDefault().start();
        m.completion().whenComplete(new RetireWhenDone(current));
        for (Applied x : applied) {
            x.previousStale = true;
            if (x.target == current || holdsAny(x.target, released)) {
                x.target = back;
            }
            if (x.app.target() != x.target || holdsAny(x.app.previous(), released)) {
                x.app = x.app.released(x.target, holdsAny(x.app.previous(), released) ? back : x.app.previous());
            }
        }
        if (LOG.isLoggable(Level.INFO)) {
            LOG.log(Level.INFO, "class loader '" + scope.name() + "' released: view '" + back.name() + "' without its "
                    + drop.size() + " patched method(s); migrating " + m.size() + " thread(s)");
        }
    }

    private static boolean holdsAny(View v, Set<Integer> ids) {
        CodeTable t = v.get(CODE);
        for (Integer id : ids) {
            if (t.index(id) >= 0) {
                return true;
            }
        }
        return false;
    }

    /** Applied patches, newest first. */
    public List<PatchApplication> applied() {
        lock.lock();
        try {
            List<PatchApplication> out = new ArrayList<>(applied.size());
            for (Applied e : applied) {
                out.add(e.app.target() == e.target ? e.app : e.app.withTarget(e.target));
            }
            return List.copyOf(out);
        } finally {
            lock.unlock();
        }
    }

    /**
     * An applied patch on the stack: what it set (method ids, class fingerprint keys) and
     * what they were before (null: nothing, the original), so that it can be taken out of a
     * table again. Guarded by the lock.
     */
    private static final class Applied {
        PatchApplication app;   // replaced when a released loader's bodies leave its views (forgetLoader)
        final Map<Integer, CodeTable.Entry> restoreHandles = new HashMap<>();
        final Map<String, String> restoreFingerprints = new HashMap<>();
        View target;   // the view that runs it; a rollback under it may give it a new one
        boolean previousStale;   // app.previous() still runs a patch rolled back since

        Applied(PatchApplication app, CodeTable before, CodeTable after) {
            this.app = app;
            this.target = app.target();
            for (Integer id : after.overrides().keySet()) {
                CodeTable.Entry was = before.entry(id);
                if (!after.entry(id).equals(was)) {   // records: the same handles, flag and base
                    restoreHandles.put(id, was);
                }
            }
            for (Map.Entry<String, String> f : after.fingerprints().entrySet()) {
                String was = before.fingerprints().get(f.getKey());
                if (!f.getValue().equals(was)) {
                    restoreFingerprints.put(f.getKey(), was);
                }
            }
        }
    }

    // Classes, not lambdas: no call-site linkage at the patch instant (PatchPathRulesTest).

    /** The code space's base view: the empty code table. */
    private record EmptyCodeBase() implements java.util.function.Consumer<ViewBuilder> {
        @Override
        public void accept(ViewBuilder b) {
            b.diverge(CODE, CodeTable.EMPTY);
        }
    }

    /** Retires the view a rollback leaves once its migration is done (not when cancelled). */
    private record RetireWhenDone(View leaving) implements java.util.function.BiConsumer<MigrationReport, Throwable> {
        @Override
        public void accept(MigrationReport r, Throwable ex) {
            if (ex == null) {
                leaving.retire();
            }
        }
    }
}
