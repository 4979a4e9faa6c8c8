package dev.atlas.patch.variant;

import dev.atlas.core.Migration;
import dev.atlas.core.View;
import dev.atlas.core.ViewSpace;
import dev.atlas.core.observe.SpaceDescription;
import dev.atlas.patch.runtime.CodeViews;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

/**
 * The per-thread variants of one JVM's code views, by name: what {@code atlas variant
 * apply|list|remove} acts on. Applying publishes a {@link CodeVariant} and moves the named
 * threads into it, each at its next quiescence point; removing moves the threads still in it
 * back to the default view and retires it once they have left.
 *
 * <p>A patch applied or rolled back later moves every thread, those in a variant included, to
 * the new default view: the variant stays listed, with no thread left in it.
 *
 * <p>Threading: operator calls are serialised by one lock (the agent runs one command at a
 * time anyway); no application thread ever calls in here.
 */
public final class Variants {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private final CodeViews code;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, Applied> byName = new LinkedHashMap<>();

    /** The variants of {@code code}'s views (none yet). */
    public Variants(CodeViews code) {
        this.code = code;
    }

    /**
     * One applied variant.
     *
     * @param name      its name
     * @param variant   the published variant (its view, its traces)
     * @param traced    the trace patterns it was given
     * @param restricted the restrict patterns it was given
     * @param migration the migration of the chosen threads into it
     */
    public record Applied(String name, CodeVariant variant, List<String> traced, List<String> restricted,
                          Migration migration) {}

    /**
     * A removal under way.
     *
     * @param removed   the variant, no longer listed
     * @param migration the migration of its remaining threads back to the default view (it
     *                  retires when that is done)
     */
    public record Removal(Applied removed, Migration migration) {}

    /**
     * Publishes a variant named {@code name} and moves the live threads so named into it.
     * All-or-nothing: on a refusal nothing is published and no thread moves.
     *
     * @param threadNames names of threads bound to the code views (every thread of each name moves)
     * @throws IllegalArgumentException naming what is wrong: a name in use, no pattern, a
     *                                  pattern that matches no patchable method, a thread name
     *                                  no bound live thread has
     */
    public Applied apply(String name, List<String> trace, List<String> restrict, List<String> threadNames) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("variant name '" + name + "': expected letters, digits, '.', '_' or "
                    + "'-' (1 to 64 of them)");
        }
        if (trace.isEmpty() && restrict.isEmpty()) {
            throw new IllegalArgumentException("variant '" + name + "': nothing to trace or restrict");
        }
        if (threadNames.isEmpty()) {
            throw new IllegalArgumentException("variant '" + name + "': no thread named");
        }
        lock.lock();
        try {
            if (byName.containsKey(name)) {
                throw new IllegalArgumentException("variant '" + name + "' is already applied; remove it first "
                        + "or choose another name");
            }
            ViewSpace space = code.space();
            Set<Long> ids = threadIds(space.describe(), threadNames);
            CodeVariant.Builder b = CodeVariant.named(code, name);
            trace.forEach(b::trace);
            restrict.forEach(b::restrict);
            CodeVariant v = b.publish();         // throws, publishing nothing, for a pattern matching nothing
            Migration m = space.migrate(v.view()).matching(t -> ids.contains(t.threadId())).start();
            Applied a = new Applied(name, v, List.copyOf(trace), List.copyOf(restrict), m);
            byName.put(name, a);
            return a;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops the variant {@code name}: cancels its migration if it still runs, moves the threads
     * in it back to the default view, each at its next quiescence point, and retires its view
     * when they have left.
     *
     * @throws IllegalArgumentException if no variant has that name
     */
    public Removal remove(String name) {
        lock.lock();
        try {
            Applied a = byName.get(name);
            if (a == null) {
                throw new IllegalArgumentException(unknown(name));
            }
            a.migration().cancel();   // false if done already: nothing to undo
            ViewSpace space = code.space();
            View view = a.variant().view();
            Set<Long> inside = new TreeSet<>();
            for (SpaceDescription.ThreadInfo t : space.describe().threads()) {
                if (t.viewId() == view.id() || t.pendingViewId() == view.id()) {
                    inside.add(t.threadId());
                }
            }
            Migration back = space.migrate(space.defaultView()).matching(t -> inside.contains(t.threadId())).start();
            back.completion().whenComplete((r, e) -> view.retire());
            byName.remove(name);
            return new Removal(a, back);
        } finally {
            lock.unlock();
        }
    }

    /** The applied variants, oldest first. */
    public List<Applied> list() {
        lock.lock();
        try {
            return List.copyOf(byName.values());
        } finally {
            lock.unlock();
        }
    }

    private String unknown(String name) {
        return "no variant named '" + name + "' (applied: " + (byName.isEmpty() ? "none" : String.join(", ",
                byName.keySet())) + ")";
    }

    /** The ids of the live bound threads with these names; every name must match at least one. */
    private static Set<Long> threadIds(SpaceDescription s, List<String> names) {
        Set<Long> ids = new LinkedHashSet<>();
        List<String> missing = new ArrayList<>();
        for (String n : names) {
            boolean found = false;
            for (SpaceDescription.ThreadInfo t : s.threads()) {
                if (t.name().equals(n)) {
                    ids.add(t.threadId());
                    found = true;
                }
            }
            if (!found) {
                missing.add(n);
            }
        }
        if (!missing.isEmpty()) {
            Set<String> bound = new TreeSet<>();
            s.threads().forEach(t -> bound.add(t.name()));
            throw new IllegalArgumentException("no live thread bound to the code views is named " + quoted(missing)
                    + " (a thread is bound once it ran a request or task in patchable code; bound now: "
                    + (bound.isEmpty() ? "none" : quoted(List.copyOf(bound))) + ")");
        }
        return ids;
    }

    private static String quoted(List<String> names) {
        StringBuilder sb = new StringBuilder();
        for (String n : names) {
            sb.append(sb.isEmpty() ? "" : ", ").append('\'').append(n).append('\'');
        }
        return sb.toString();
    }
}
