package dev.atlas.ulp.system;

/**
 * Implemented by the class loader of a program: it names the program a class belongs to,
 * so that a rewritten call site running on a thread that does not belong to any program
 * (a JDK pool thread, say) still reaches the right program's {@code System}.
 */
public interface ProgramScoped {
    /** The context of the program whose classes this loader defines. */
    ProgramContext programContext();
}
