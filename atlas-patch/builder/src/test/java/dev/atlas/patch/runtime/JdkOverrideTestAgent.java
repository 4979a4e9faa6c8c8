package dev.atlas.patch.runtime;

import java.lang.instrument.Instrumentation;

/**
 * The {@code Premain-Class} of the manifest-only agent jar that {@link JdkOverrideIT} starts its
 * child JVM with (the class itself is on the class path): it only keeps the Instrumentation.
 */
public final class JdkOverrideTestAgent {
    private static volatile Instrumentation instrumentation;

    private JdkOverrideTestAgent() {}

    public static void premain(String args, Instrumentation inst) {
        instrumentation = inst;
    }

    /** @throws IllegalStateException if the JVM was not started with the agent jar */
    static Instrumentation instrumentation() {
        Instrumentation i = instrumentation;
        if (i == null) {
            throw new IllegalStateException("not started with -javaagent: the test agent jar");
        }
        return i;
    }
}
