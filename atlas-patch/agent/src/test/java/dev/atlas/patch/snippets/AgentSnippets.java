package dev.atlas.patch.snippets;

import dev.atlas.core.Migration;
import dev.atlas.patch.agent.command.CommandRequest;
import dev.atlas.patch.agent.install.AgentInstaller;
import dev.atlas.patch.agent.install.AppliedPatchesMXBean;
import dev.atlas.patch.agent.install.Installation;
import dev.atlas.patch.format.PatchFile;
import dev.atlas.patch.instrument.BoundaryMatcher;
import dev.atlas.patch.instrument.CodeInstrumenter;
import dev.atlas.patch.instrument.TypeHierarchy;
import dev.atlas.patch.jit.JitPriority;
import dev.atlas.patch.jit.JitPriorityWindow;
import dev.atlas.patch.runtime.CodeViews;
import dev.atlas.patch.runtime.LoaderScope;
import dev.atlas.patch.runtime.MethodRegistry;
import dev.atlas.patch.runtime.PatchApplication;
import dev.atlas.patch.runtime.PatchPipeline;
import dev.atlas.patch.shadow.ShadowField;
import dev.atlas.patch.shadow.ShadowFields;
import dev.atlas.patch.variant.CodeVariant;

import java.lang.instrument.Instrumentation;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;

/**
 * The code of the {@code {@snippet}} examples in atlas-patch-agent's javadoc, by region:
 * compiled with the tests, so an example that no longer compiles fails the build (the
 * javadoc resolves {@code class=dev.atlas.patch.snippets.AgentSnippets region=...} through
 * {@code --snippet-path src/test/java}).
 */
@SuppressWarnings("unused")
final class AgentSnippets {
    private AgentSnippets() {}

    static void patchPipeline(KeyStore trustedOrNull) throws Exception {
        // @start region=patch-pipeline
        PatchPipeline pipeline = new PatchPipeline(new CodeViews(), JitPriorityWindow.forThisJvm(JitPriority.IDLE));
        PatchPipeline.FileApplication a = pipeline.apply(Path.of("fix.atlaspatch"), trustedOrNull);
        a.application().migration().completion();   // returns at once; nothing here waits for a thread
        pipeline.rollback();
        // @end
    }

    static void codeViews(Path path) throws Exception {
        // @start region=code-views
        PatchPipeline pipeline = new PatchPipeline(new CodeViews(), JitPriorityWindow.off());
        PatchApplication a = pipeline.apply(PatchFile.read(path));   // returns at once
        a.migration().await(Duration.ofSeconds(30));                 // every thread moved, each at its own quiescence point
        pipeline.rollback();                                          // wait-free too: back to the previous view
        // @end
    }

    static void codeVariant(CodeViews code, Thread suspectThread) {
        // @start region=code-variant
        CodeVariant v = CodeVariant.named(code, "trace-checkout")   // code: the agent's CodeViews
                .trace("com.acme.Cart#checkout")
                .restrict("com.acme.Admin#deleteAll")
                .publish();
        code.space().migrate(v.view()).threads(suspectThread).start();
        // ... later
        v.traces().forEach(System.out::println);
        // @end
    }

    static void agentInstaller(Instrumentation instrumentation) throws Exception {
        // @start region=agent-installer
        Installation in = AgentInstaller.install("include=com.acme.**", instrumentation, false);
        in.pipeline().apply(Path.of("fix.atlaspatch"), null);
        // @end
    }

    static void commandRequest(Path dir) throws Exception {
        // @start region=command-request
        CommandRequest r = CommandRequest.apply(dir.resolve("patch.atlaspatch"), Duration.ofSeconds(30), null, null);
        r.write(dir);                              // the CLI
        CommandRequest same = CommandRequest.read(dir);   // the agent, in the target JVM
        // @end
    }

    static void jitPriority() {
        // @start region=jit-priority
        JitPriority.parse("idle");   // SCHED_IDLE: the default
        JitPriority.parse("19");     // nice 19
        JitPriority.parse("off");    // leave the JIT alone (so does "0")
        // @end
    }

    static void jitPriorityWindow(Migration migration, ScheduledExecutorService scheduler) {
        // @start region=jit-priority-window
        JitPriorityWindow jit = JitPriorityWindow.forThisJvm(JitPriority.IDLE);
        JitPriorityWindow.Lease lease = jit.open();          // compiler threads now SCHED_IDLE
        // ... prepare the patch, switch, migrate ...
        lease.closeAfter(migration.completion(), Duration.ofSeconds(3), Duration.ofSeconds(30), scheduler);
        // @end
    }

    static void shadowField(ShadowFields fields, ClassLoader loader, Object cart) {
        // @start region=shadow-field
        ShadowField hits = fields.define(loader, "com/acme/Cart", "hits", "J", false, null);
        hits.put(cart, 1L);
        long n = (long) hits.get(cart);
        // @end
    }

    static void typeHierarchy(ClassLoader loader) {
        // @start region=type-hierarchy
        TypeHierarchy h = new TypeHierarchy();
        boolean servlet = h.isSubtype(loader, "org/springframework/web/servlet/DispatcherServlet",
                "jakarta/servlet/http/HttpServlet");   // true: three levels down
        // @end
    }

    static void codeInstrumenter(MethodRegistry registry, ClassLoader loader, byte[] classBytes) {
        // @start region=code-instrumenter
        CodeInstrumenter ins = new CodeInstrumenter(registry, new BoundaryMatcher(BoundaryMatcher.DEFAULTS));
        byte[] out = ins.instrument(loader, classBytes);   // null: nothing to instrument, or not instrumentable
        // @end
    }

    static PatchApplication loaderScope(PatchPipeline pipeline, dev.atlas.patch.format.Patch patch) {
        // @start region=loader-scope
        PatchApplication a = pipeline.apply(patch, LoaderScope.named("program-2"));   // only program 2's copies change
        // @end
        return a;
    }

    CompositeData[] appliedPatches() throws JMException {
        // @start region=applied-patches
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        CompositeData[] applied = (CompositeData[]) server.getAttribute(
                new ObjectName(AppliedPatchesMXBean.OBJECT_NAME), "Applied");
        // @end
        return applied;
    }
}
