package dev.atlas.patch.runtime;

import dev.atlas.core.View;
import dev.atlas.core.ViewSpace;
import dev.atlas.core.ViewState;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Which guards of methods that are not instrumented ({@link ForeignMethodGuards}) one code
 * views' space needs now: a slot's guard is on while some view of the space that is not
 * retired has an entry for the slot (an override's dispatcher), and off otherwise, so that
 * after a rollback, once the view that had the override retired, the JDK method costs nothing
 * again.
 *
 * <p>Implementation notes: {@link #published} (the operator, after a view is published and
 * before any thread can be migrated into it) switches on the guards the view's table needs;
 * {@link #retired} (the space's housekeeper, as a view's retire action) switches off those
 * that no other live view needs. Both read the space's views after the view in question was
 * published or retired, under this object's monitor, so either order of the two is right: a
 * view published while a retirement is being settled is either seen by the settling, or switches
 * its guards on after it. A view is never entered again once retired, and every code view is
 * published through {@link #published}, so a guard is never off while a thread is in a view
 * that needs it.
 *
 * <p>Threading: thread-safe, serialised on this object's monitor; never called by application
 * threads.
 */
final class ForeignGuardUse {
    private final ViewSpace space;
    private final ForeignMethodGuards foreign;
    private final Set<MethodSlot> on = new LinkedHashSet<>();   // guarded by this

    ForeignGuardUse(ViewSpace space, ForeignMethodGuards foreign) {
        this.space = Objects.requireNonNull(space, "space");
        this.foreign = Objects.requireNonNull(foreign, "foreign");
    }

    /**
     * Operator, after {@code view} was published and before any thread can be migrated into it:
     * switches on the guard of every slot among {@code candidates} that is foreign and has an
     * entry in the view's table.
     */
    synchronized void published(View view, Collection<MethodSlot> candidates) {
        CodeTable t = view.get(CodeViews.CODE);
        for (MethodSlot s : candidates) {
            if (s.foreign && s.foreignOwnBody != null && !on.contains(s) && t.index(s.id()) >= 0) {
                foreign.dispatch(s, true);
                on.add(s);
            }
        }
    }

    /** Housekeeper, once {@code retired} has no thread and never will: switches off the guards no live view needs. */
    synchronized void retired(View retired) {
        if (on.isEmpty()) {
            return;
        }
        List<CodeTable> live = new ArrayList<>();
        for (View v : space.views()) {
            ViewState st = v.state();
            if (v != retired && (st == ViewState.ACTIVE || st == ViewState.RETIRING)) {
                live.add(v.get(CodeViews.CODE));
            }
        }
        for (var i = on.iterator(); i.hasNext(); ) {
            MethodSlot s = i.next();
            if (!anyHas(live, s)) {
                foreign.dispatch(s, false);
                i.remove();
            }
        }
    }

    private static boolean anyHas(List<CodeTable> tables, MethodSlot s) {
        for (CodeTable t : tables) {
            if (t.index(s.id()) >= 0) {
                return true;
            }
        }
        return false;
    }

    /** The slots whose guard is on (tests). */
    synchronized Set<MethodSlot> on() {
        return Set.copyOf(on);
    }

    /** The retire action every code view gets: a class, not a lambda (no call-site linkage at the patch instant). */
    record Settle(ForeignGuardUse use, View view) implements Runnable {
        @Override
        public void run() {
            use.retired(view);
        }
    }
}
