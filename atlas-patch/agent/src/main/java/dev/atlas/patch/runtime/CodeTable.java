package dev.atlas.patch.runtime;

import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The code of one view: for each overridden method (by {@link MethodSlot} id) the handle
 * that replaces its body, plus what identifies the code a class runs in this view (the
 * fingerprint of its newest patched version) and the patches applied, oldest first.
 * Immutable; a new view gets a new table built from its parent's.
 *
 * <p>Implementation notes: the lookup on the dispatch path is an open-addressing probe of
 * an {@code int[]} (ids) beside a {@code MethodHandle[]}, sized to a power of two at least
 * twice the entry count, so a hit or a miss costs one or two array reads.
 */
public final class CodeTable {
    /** The table of a view that overrides nothing. */
    public static final CodeTable EMPTY = new CodeTable(Map.of(), java.util.Set.of(), Map.of(), Map.of(), List.of());

    private final int[] ids;
    private final MethodHandle[] handles;
    private final boolean[] wrappers;
    private final MethodHandle[] bases;
    private final Map<Integer, MethodHandle> baseById;
    private final java.util.Set<Integer> wrapperIds;
    private final int mask;
    private final Map<Integer, MethodHandle> overrides;
    private final Map<String, String> fingerprints;
    private final List<String> patchIds;

    private CodeTable(Map<Integer, MethodHandle> overrides, java.util.Set<Integer> wrapperIds, Map<Integer, MethodHandle> baseMap,
                      Map<String, String> fingerprints, List<String> patchIds) {
        this.overrides = Map.copyOf(overrides);
        this.baseById = Map.copyOf(baseMap);
        this.wrapperIds = java.util.Set.copyOf(wrapperIds);
        this.fingerprints = Map.copyOf(fingerprints);
        this.patchIds = List.copyOf(patchIds);
        int cap = Integer.highestOneBit(Math.max(2, overrides.size() * 2 - 1)) << 1;
        this.ids = new int[cap];
        java.util.Arrays.fill(ids, -1);
        this.handles = new MethodHandle[cap];
        this.wrappers = new boolean[cap];
        this.bases = new MethodHandle[cap];
        this.mask = cap - 1;
        for (Map.Entry<Integer, MethodHandle> e : overrides.entrySet()) {
            int i = mix(e.getKey()) & mask;
            while (ids[i] != -1) {
                i = (i + 1) & mask;
            }
            ids[i] = e.getKey();
            handles[i] = e.getValue();
            wrappers[i] = wrapperIds.contains(e.getKey());
            this.bases[i] = baseMap.get(e.getKey());
        }
    }

    private static int mix(int id) {
        return id * 0x9E3779B9 >>> 7;
    }

    /** The replacement body of method {@code id} in this view, or null to run the original. */
    public MethodHandle handle(int id) {
        final int i = index(id);
        return i < 0 ? null : handles[i];
    }

    /** The probe position of {@code id}, or -1 if this view does not override it. */
    int index(int id) {
        final int[] k = ids;
        int i = mix(id) & mask;
        for (;;) {
            final int x = k[i];
            if (x == id) {
                return i;
            }
            if (x == -1) {
                return -1;
            }
            i = (i + 1) & mask;
        }
    }

    MethodHandle handleAt(int index) {
        return handles[index];
    }

    /** Whether the handle at {@code index} wraps the method (tracing) and may ask for the original body. */
    boolean wrapperAt(int index) {
        return wrappers[index];
    }

    /** What a wrapper at {@code index} runs when it asks for the method's own body: null for the original body. */
    MethodHandle baseAt(int index) {
        return bases[index];
    }

    /**
     * The body that method {@code id} has in this view under its wrapper (an override
     * dispatcher's base: {@link OverrideDispatch}), or, if it has no wrapper, its override; null
     * for the original body.
     */
    MethodHandle base(int id) {
        final int i = index(id);
        return i < 0 ? null : wrappers[i] ? bases[i] : handles[i];
    }

    /** The overridden methods (ids) and their handles. */
    public Map<Integer, MethodHandle> overrides() {
        return overrides;
    }

    /** The fingerprint of the newest version of a patched class in this view, or null if unpatched here. */
    public String fingerprint(String className) {
        return fingerprints.get(className);
    }

    /** Patch ids applied in this view, oldest first. */
    public List<String> patchIds() {
        return patchIds;
    }

    /** A table with {@code more} overrides on top of this one (and the given class fingerprints). */
    public CodeTable with(Map<Integer, MethodHandle> more, Map<String, String> newFingerprints, String patchId) {
        return with(more, java.util.Set.of(), newFingerprints, patchId);
    }

    /**
     * A table with {@code more} overrides on top of this one; those in {@code wrapping} wrap
     * the method (they may run its original body through {@link Dispatch#callOriginal}).
     */
    public CodeTable with(Map<Integer, MethodHandle> more, java.util.Set<Integer> wrapping, Map<String, String> newFingerprints,
                          String patchId) {
        return with(more, wrapping, Map.of(), newFingerprints, patchId);
    }

    /**
     * As {@link #with(Map, java.util.Set, Map, String)}, with the bodies that wrappers in
     * {@code wrapping} run as the method's own ({@code baseOf}; absent: the original body).
     */
    public CodeTable with(Map<Integer, MethodHandle> more, java.util.Set<Integer> wrapping, Map<Integer, MethodHandle> baseOf,
                          Map<String, String> newFingerprints, String patchId) {
        Map<Integer, MethodHandle> o = new HashMap<>(overrides);
        o.putAll(more);
        java.util.Set<Integer> w = new java.util.HashSet<>(wrapperIds);
        w.removeAll(more.keySet());
        w.addAll(wrapping);
        Map<Integer, MethodHandle> b = new HashMap<>(baseById);
        b.keySet().removeAll(more.keySet());
        b.putAll(baseOf);
        Map<String, String> f = new HashMap<>(fingerprints);
        f.putAll(newFingerprints);
        List<String> p = new ArrayList<>(patchIds);
        if (patchId != null) {
            p.add(patchId);
        }
        return new CodeTable(o, w, b, f, Collections.unmodifiableList(p));
    }

    @Override
    public String toString() {
        return "CodeTable[" + overrides.size() + " override(s), patches " + patchIds + "]";
    }
}
