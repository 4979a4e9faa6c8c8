package dev.atlas.bench.patch;

import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * The benchmark JVM's own {@link Instrumentation}, got by loading a manifest-only agent jar
 * (its {@code Agent-Class} is this class, found on the class path) into this very JVM: what
 * {@code ForeignGuardBenchmark} needs to retransform a JDK class, without the Atlas agent.
 * The JVM must run with {@code -Djdk.attach.allowAttachSelf=true}.
 *
 * <p>Threading: {@link #instrumentation()} is synchronised; the agent entry point publishes
 * through a volatile field.
 */
public final class SelfAttach {
    private static volatile Instrumentation instrumentation;

    private SelfAttach() {}

    /** The agent entry point: keeps {@code inst}. */
    public static void agentmain(String args, Instrumentation inst) {
        instrumentation = inst;
    }

    /** This JVM's instrumentation, attaching once. */
    public static synchronized Instrumentation instrumentation() {
        if (instrumentation != null) {
            return instrumentation;
        }
        try {
            Path jar = Files.createTempFile("atlas-bench-agent", ".jar");
            jar.toFile().deleteOnExit();
            Manifest mf = new Manifest();
            Attributes a = mf.getMainAttributes();
            a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
            a.putValue("Agent-Class", SelfAttach.class.getName());
            a.putValue("Can-Redefine-Classes", "true");
            a.putValue("Can-Retransform-Classes", "true");
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), mf)) {
                out.flush();
            }
            VirtualMachine vm = VirtualMachine.attach(Long.toString(ProcessHandle.current().pid()));
            try {
                vm.loadAgent(jar.toString());
            } finally {
                vm.detach();
            }
        } catch (IOException | com.sun.tools.attach.AttachNotSupportedException | com.sun.tools.attach.AgentLoadException
                 | com.sun.tools.attach.AgentInitializationException e) {
            throw new IllegalStateException("cannot attach to this JVM to get its Instrumentation (run it with "
                    + "-Djdk.attach.allowAttachSelf=true): " + e, e);
        }
        if (instrumentation == null) {
            throw new IllegalStateException("the self-attached agent did not run");
        }
        return instrumentation;
    }
}
