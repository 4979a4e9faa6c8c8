package dev.atlas.patch.runtime;

import java.util.List;

/**
 * A patch that cannot be applied to this process: built for other class versions, naming a
 * class that is not loaded or not patchable, or whose new code does not verify or link.
 * No view was published and no thread moved. Classes the patch adds that this apply defined
 * before it was refused stay defined in their class loaders (the JVM cannot undefine a class):
 * {@link #classesLeftDefined()} names them; no code runs them, and a later apply of the same
 * patch reuses them.
 */
public class PatchRejectedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient List<String> classesLeftDefined;   // never serialised (an agent-internal refusal)

    public PatchRejectedException(String message) {
        this(message, null, List.of());
    }

    public PatchRejectedException(String message, Throwable cause) {
        this(message, cause, List.of());
    }

    private PatchRejectedException(String message, Throwable cause, List<String> classesLeftDefined) {
        super(message, cause);
        this.classesLeftDefined = List.copyOf(classesLeftDefined);
    }

    /** This refusal, naming the added classes the apply defined before it (binary names). */
    PatchRejectedException withClassesLeftDefined(List<String> classes) {
        PatchRejectedException e = new PatchRejectedException(getMessage(), getCause() == null ? this : getCause(), classes);
        e.setStackTrace(getStackTrace());
        return e;
    }

    /** The classes the patch adds that the refused apply had defined in their loaders (empty if none). */
    public List<String> classesLeftDefined() {
        return classesLeftDefined;
    }
}
