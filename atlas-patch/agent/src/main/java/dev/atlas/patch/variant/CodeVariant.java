package dev.atlas.patch.variant;

import dev.atlas.core.View;
import dev.atlas.patch.runtime.CodeViews;
import dev.atlas.patch.runtime.Dispatch;
import dev.atlas.patch.runtime.MethodRegistry;
import dev.atlas.patch.runtime.MethodSlot;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A per-thread variant of the running code: a view derived from the current default in
 * which chosen methods are traced (arguments, result and timing recorded, for the threads
 * in this view only) or restricted (they throw {@link RestrictedMethodException}). Other
 * threads are unaffected; move threads in and out with the view runtime.
 *
 * {@snippet class=dev.atlas.patch.snippets.AgentSnippets region=code-variant}
 *
 * <p>Implementation notes: a traced method's body in the variant is a handle that records
 * and then calls the body it wraps: the parent view's replacement if the parent overrides
 * the method, else the method's own body through {@link Dispatch#callOriginal} (which tells
 * the entry guard to run the original code once). Records go to a bounded buffer (the last
 * {@value #MAX_RECORDS}), guarded by its own lock.
 *
 * <p>Threading: the builder is single-threaded; a published variant is shared.
 */
public final class CodeVariant {
    static final int MAX_RECORDS = 10_000;

    private static final MethodHandle TRACED;
    private static final MethodHandle RESTRICTED;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            TRACED = l.findVirtual(Tracer.class, "call", MethodType.methodType(Object.class, Object[].class));
            RESTRICTED = l.findStatic(CodeVariant.class, "restricted", MethodType.methodType(Object.class, String.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final View view;
    private final Deque<TraceRecord> records;

    private CodeVariant(View view, Deque<TraceRecord> records) {
        this.view = view;
        this.records = records;
    }

    /** Starts a variant of the current default view of {@code code}. */
    public static Builder named(CodeViews code, String name) {
        return new Builder(Objects.requireNonNull(code, "code"), Objects.requireNonNull(name, "name"));
    }

    /** The variant's view: migrate threads into it to run the variant. */
    public View view() {
        return view;
    }

    /** Calls traced so far by threads in this view, oldest first (the last {@value #MAX_RECORDS}). */
    public List<TraceRecord> traces() {
        synchronized (records) {
            return List.copyOf(records);
        }
    }

    /** Builds a variant. */
    public static final class Builder {
        private final CodeViews code;
        private final String name;
        private final List<String> traced = new ArrayList<>();
        private final List<String> restricted = new ArrayList<>();

        private Builder(CodeViews code, String name) {
            this.code = code;
            this.name = name;
        }

        /** Traces every overload of {@code Type#method} (dotted class name). */
        public Builder trace(String methodPattern) {
            traced.add(methodPattern);
            return this;
        }

        /** Makes every overload of {@code Type#method} throw in this variant. */
        public Builder restrict(String methodPattern) {
            restricted.add(methodPattern);
            return this;
        }

        /**
         * Publishes the variant's view (no thread is moved).
         *
         * @throws IllegalArgumentException naming a pattern that matches no patchable method
         */
        public CodeVariant publish() {
            Deque<TraceRecord> records = new ArrayDeque<>();
            Map<MethodSlot, MethodHandle> bodies = new LinkedHashMap<>();
            Set<MethodSlot> wrapping = new HashSet<>();
            var parentTable = code.space().defaultView().get(CodeViews.CODE);
            for (String p : traced) {
                for (MethodSlot s : slots(code.registry(), p)) {
                    MethodHandle own = code.ownBody(s);
                    MethodHandle inner = parentTable.handle(s.id());
                    MethodType type = own.type();   // (C, P..)R or (P..)R: the guard's exact type
                    Tracer t = new Tracer(s, inner != null ? inner : own, inner == null, records);
                    bodies.put(s, TRACED.bindTo(t).asCollector(Object[].class, type.parameterCount()).asType(type));
                    if (inner == null) {
                        wrapping.add(s);
                    }
                }
            }
            for (String p : restricted) {
                for (MethodSlot s : slots(code.registry(), p)) {
                    MethodType type = code.ownBody(s).type();
                    MethodHandle thrower = RESTRICTED.bindTo("method " + s.describe() + " is restricted in view '" + name + "'");
                    thrower = MethodHandles.dropArguments(thrower, 0, type.parameterList()).asType(type);
                    bodies.put(s, thrower);
                    wrapping.remove(s);
                }
            }
            return new CodeVariant(code.publishVariant(name, bodies, wrapping), records);
        }

        private static List<MethodSlot> slots(MethodRegistry registry, String pattern) {
            int h = pattern.indexOf('#');
            if (h <= 0 || h == pattern.length() - 1) {
                throw new IllegalArgumentException("method pattern '" + pattern + "': expected Type#method");
            }
            String cls = pattern.substring(0, h).replace('.', '/');
            String m = pattern.substring(h + 1);
            List<MethodSlot> out = new ArrayList<>();
            for (MethodRegistry.LoadedClassInfo i : registry.loaded(cls)) {
                for (MethodSlot s : i.methods()) {
                    if (s.name().equals(m)) {
                        out.add(s);
                    }
                }
            }
            if (out.isEmpty()) {
                throw new IllegalArgumentException("method pattern '" + pattern + "' matches no patchable method "
                        + "(is the class loaded and included by the agent?)");
            }
            return out;
        }
    }

    static Object restricted(String message) {
        throw new RestrictedMethodException(message);
    }

    /** The traced body of one method. */
    static final class Tracer {
        private final MethodSlot slot;
        private final MethodHandle target;
        private final boolean original;
        private final Deque<TraceRecord> records;

        Tracer(MethodSlot slot, MethodHandle target, boolean original, Deque<TraceRecord> records) {
            this.slot = slot;
            this.target = target;
            this.original = original;
            this.records = records;
        }

        Object call(Object[] args) throws Throwable {
            long t0 = System.nanoTime();
            String outcome = "returned";
            try {
                Object r = original ? Dispatch.callOriginal(slot.id(), target, args) : target.invokeWithArguments(args);
                outcome = "returned " + cut(r);
                return r;
            } catch (Throwable t) {
                outcome = "threw " + t;
                throw t;
            } finally {
                long nanos = System.nanoTime() - t0;
                List<String> a = Arrays.stream(args).skip(slot.isStatic() ? 0 : 1).map(CodeVariant::cut).toList();
                TraceRecord rec = new TraceRecord(Thread.currentThread().getName(), slot.describe(), a, nanos, outcome);
                synchronized (records) {
                    if (records.size() == MAX_RECORDS) {
                        records.removeFirst();
                    }
                    records.addLast(rec);
                }
            }
        }
    }

    static String cut(Object o) {
        String s = String.valueOf(o);
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
