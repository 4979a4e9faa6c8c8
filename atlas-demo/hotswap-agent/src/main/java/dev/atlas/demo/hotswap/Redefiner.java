package dev.atlas.demo.hotswap;

import java.lang.instrument.ClassDefinition;
import java.lang.instrument.Instrumentation;
import java.lang.instrument.UnmodifiableClassException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Applies a {@link BuildDiff} with one {@link Instrumentation#redefineClasses} call, all or
 * nothing. Refusals (the JVM's and the ones this class can tell in advance: added or removed
 * classes) come back as a {@link Refused} outcome naming the reason; nothing is changed then.
 */
public final class Redefiner {
    /** What {@link #apply} did. */
    public sealed interface Outcome permits Redefined, Refused {
        /** One line, no line breaks: {@code ok ...} or {@code refused ...}. */
        String toLine();
    }

    /**
     * The classes were redefined.
     *
     * @param classes    binary names of the redefined classes
     * @param pauseNanos time spent in {@code redefineClasses} (it runs in a global safepoint)
     */
    public record Redefined(List<String> classes, long pauseNanos) implements Outcome {
        @Override
        public String toLine() {
            return "ok nanos=" + pauseNanos + " classes=" + String.join(",", classes);
        }
    }

    /**
     * Nothing was redefined.
     *
     * @param reason why, e.g. the JVM's {@code UnsupportedOperationException} message
     */
    public record Refused(String reason) implements Outcome {
        @Override
        public String toLine() {
            return "refused " + reason.replaceAll("\\s+", " ");
        }
    }

    private final Instrumentation instrumentation;
    private final ClassLoader loader;

    /** @param loader the loader of the application's classes (the system class loader for a plain {@code -cp} app) */
    public Redefiner(Instrumentation instrumentation, ClassLoader loader) {
        this.instrumentation = instrumentation;
        this.loader = loader;
    }

    /** Redefines every changed class of {@code diff} in one batch, or none of them. */
    public Outcome apply(BuildDiff diff) {
        if (!diff.added().isEmpty()) {
            return new Refused("the new build adds classes " + diff.added() + "; redefineClasses cannot add classes");
        }
        if (!diff.removed().isEmpty()) {
            return new Refused("the new build removes classes " + diff.removed() + "; redefineClasses cannot remove classes");
        }
        if (diff.changed().isEmpty()) {
            return new Refused("no class differs between the two builds");
        }
        List<ClassDefinition> definitions = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : diff.changed().entrySet()) {
            try {
                definitions.add(new ClassDefinition(Class.forName(e.getKey(), false, loader), e.getValue()));
            } catch (ClassNotFoundException | LinkageError ex) {
                return new Refused("class " + e.getKey() + " cannot be found in the running application: " + ex);
            }
        }
        long start = System.nanoTime();
        try {
            instrumentation.redefineClasses(definitions.toArray(ClassDefinition[]::new));
        } catch (UnsupportedOperationException | ClassNotFoundException | UnmodifiableClassException | LinkageError e) {
            return new Refused(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        long pause = System.nanoTime() - start;
        return new Redefined(List.copyOf(diff.changed().keySet()), pause);
    }
}
