package dev.atlas.patch.agent.command;

import dev.atlas.core.Migration;
import dev.atlas.core.MigrationReport;
import dev.atlas.core.MigrationTimeoutException;
import dev.atlas.core.Straggler;
import dev.atlas.core.ThreadMigrationState;
import dev.atlas.core.View;
import dev.atlas.core.observe.SpaceDescription;
import dev.atlas.patch.agent.AtlasAgent;
import dev.atlas.patch.agent.command.CommandReply.Status;
import dev.atlas.patch.format.MalformedPatchException;
import dev.atlas.patch.format.Patch;
import dev.atlas.patch.format.PatchFile;
import dev.atlas.patch.format.PatchSignatureException;
import dev.atlas.patch.format.PatchVerifier;
import dev.atlas.patch.jit.JitPriorityWindow;
import dev.atlas.patch.runtime.CodeViews;
import dev.atlas.patch.runtime.PatchApplication;
import dev.atlas.patch.runtime.PatchRejectedException;
import dev.atlas.patch.runtime.PreparationCost;

import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * What the agent does for each {@link CommandRequest.Verb}, inside the target JVM.
 *
 * <p>Apply: check the signature if a trusted key store is given (here, in the target, on the
 * private copy of the patch that is then read: the bytes checked are the bytes defined),
 * read the patch, install the agent if it is not yet (late attach, default options), hand
 * the patch to {@link CodeViews#apply}, and wait up to the timeout for every thread to move.
 * A timeout does not roll back: the patch stays applied and the remaining threads move at
 * their next quiescence point; the reply names them with their stacks.
 *
 * <p>Threading: one command at a time (the attach-listener thread).
 */
final class AgentCommands {
    private final Instrumentation inst;
    private final long pid = ProcessHandle.current().pid();

    AgentCommands(Instrumentation inst) {
        this.inst = inst;
    }

    CommandReply run(CommandRequest r) {
        return switch (r.verb()) {
            case ATTACH -> attach(r);
            case APPLY, ROLLBACK -> {
                JitPriorityWindow.Lease jit = lowerJit();
                try {
                    yield r.verb() == CommandRequest.Verb.APPLY ? apply(r) : rollback(r);
                } finally {
                    jit.close();
                }
            }
            case STATUS -> status();
        };
    }

    /**
     * The JIT is lowered from the moment a change command arrives, so reading and checking the
     * patch are inside the window too; {@code CodeViews} holds its own lease from there until
     * after the migration (leases nest).
     */
    private static JitPriorityWindow.Lease lowerJit() {
        return CodeViews.get().jitPriorityWindow().open();
    }

    // ------------------------------------------------------------------ attach

    private CommandReply attach(CommandRequest r) {
        AtlasAgent.Installed before = AtlasAgent.installed();
        if (before != null) {
            String note = "The Atlas agent was already installed " + how(before) + "; it keeps its options ("
                    + describe(before) + ")"
                    + (r.agentOptions() == null || r.agentOptions().isEmpty() ? "" : "; the options given now are ignored")
                    + ".\n";
            return new CommandReply(Status.OK, agentFields(before, true), note);
        }
        AtlasAgent.Installed now;
        try {
            now = AtlasAgent.install(r.agentOptions(), inst, true);
        } catch (IllegalArgumentException e) {
            return refused(Map.of(), "agent options refused: " + e.getMessage());
        }
        return new CommandReply(Status.OK, agentFields(now, false), "Atlas agent installed by late attach in process "
                + pid + ": " + now.retransformed() + " loaded class(es) made patchable; " + describe(now) + ".\n"
                + failures(now));
    }

    // ------------------------------------------------------------------ apply

    private CommandReply apply(CommandRequest r) {
        Map<String, String> f = new LinkedHashMap<>();
        String signer = "unsigned, no signature required";
        if (r.keystore() != null) {
            try {
                KeyStore trusted = KeyStore.getInstance(r.keystore().toFile(),
                        r.keystorePassword() == null ? null : r.keystorePassword().toCharArray());
                X509Certificate c = PatchVerifier.verify(r.patch(), trusted);
                signer = "signature verified: " + c.getSubjectX500Principal().getName();
                f.put("signer", c.getSubjectX500Principal().getName());
            } catch (PatchSignatureException e) {
                return refused(f, "signature check failed: " + e.getMessage());
            } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
                return refused(f, "cannot read the trusted key store " + r.keystore() + ": " + e.getMessage());
            }
        } else {
            try {
                Optional<X509Certificate> claimed = PatchVerifier.verifyIntegrity(r.patch());
                if (claimed.isPresent()) {
                    signer = "signed by " + claimed.get().getSubjectX500Principal().getName()
                            + ", signature matches the content, signer not checked: no signature required";
                }
            } catch (PatchSignatureException e) {
                if (e.getCause() instanceof MalformedPatchException m) {
                    return refused(f, "malformed patch file: " + m.getMessage());
                }
                return refused(f, "the patch carries a signature that does not verify (refused even though no "
                        + "signature is required): " + e.getMessage());
            } catch (IOException e) {
                return refused(f, "cannot read the patch file: " + e);
            }
        }
        Patch patch;
        try {
            patch = PatchFile.read(r.patch());
        } catch (MalformedPatchException e) {
            return refused(f, "malformed patch file: " + e.getMessage());
        } catch (IOException e) {
            return refused(f, "cannot read the patch file: " + e);
        }
        f.put("patch", patch.id());
        String installNote = "";
        AtlasAgent.Installed installedNow = null;
        if (AtlasAgent.installed() == null) {
            // no warm-up here: it would only compete with this very patch for the CPU
            installedNow = AtlasAgent.install("warmup=false", inst, true);
            installNote = "The Atlas agent was not installed: installed it now by late attach with default options ("
                    + describe(installedNow) + "), " + installedNow.retransformed() + " loaded class(es) made patchable.\n"
                    + failures(installedNow);
        }
        PatchApplication a;
        try {
            a = CodeViews.get().apply(patch);
        } catch (PatchRejectedException e) {
            return installedNow == null ? refused(f, e.getMessage()) : refusedAfterInstall(f, e.getMessage(), installedNow);
        }
        PreparationCost prep = a.preparation();
        f.put("prepare-ms", millis(prep.elapsed()));
        if (prep.cpu() != null) {
            f.put("prepare-cpu-ms", millis(prep.cpu()));
        }
        if (prep.jit() != null) {
            f.put("prepare-jit-ms", millis(prep.jit()));
        }
        String head = installNote + "patch " + patch.id() + " (" + signer + ") applied: "
                + a.replacedMethods() + " method(s) replaced, " + a.addedMethods() + " added, " + a.shadowFields()
                + " new field(s), " + a.addedClasses() + " class(es) added; new code prepared in "
                + prep.describe() + "; now view " + a.target().id() + " '"
                + a.target().name() + "' (was view " + a.previous().id() + "); " + a.jitPriority() + ".\n";
        f.put("jit", a.jitPriority());
        return awaitMigration(a, r.timeout(), f, head, "The patch stays applied (it is NOT rolled back)");
    }

    private static String millis(Duration d) {
        return String.format(java.util.Locale.ROOT, "%.1f", d.toNanos() / 1e6);
    }

    // ------------------------------------------------------------------ rollback

    private CommandReply rollback(CommandRequest r) {
        if (AtlasAgent.installed() == null) {
            return refused(Map.of(), "the Atlas agent is not installed in process " + pid + ": no patch to roll back");
        }
        PatchApplication a;
        try {
            a = CodeViews.get().rollback();
        } catch (IllegalStateException e) {
            return refused(Map.of(), e.getMessage());
        }
        Map<String, String> f = new LinkedHashMap<>();
        f.put("patch", a.patchId());
        String head = "patch " + a.patchId() + " rolled back: threads return to view " + a.target().id() + " '"
                + a.target().name() + "'; view " + a.previous().id() + " retires once its last thread left; "
                + a.jitPriority() + ".\n";
        f.put("jit", a.jitPriority());
        return awaitMigration(a, r.timeout(), f, head, "The rollback stands (the default view is already view "
                + a.target().id() + ")");
    }

    private CommandReply awaitMigration(PatchApplication a, Duration timeout, Map<String, String> f, String head,
                                        String stays) {
        Migration m = a.migration();
        f.put("view", Long.toString(a.target().id()));
        f.put("previous-view", Long.toString(a.previous().id()));
        f.put("migration", Long.toString(m.id()));
        f.put("threads", Integer.toString(m.size()));
        try {
            MigrationReport rep = m.await(timeout);
            SpaceDescription s = CodeViews.get().space().describe();
            f.put("moved", Long.toString(rep.count(ThreadMigrationState.MIGRATED)));
            f.put("max-delay-ms", String.format(java.util.Locale.ROOT, "%.3f", rep.maxDelay().toNanos() / 1e6));
            f.put("threads-outside-view", Long.toString(MigrationText.threadsOutside(s, a.target().id())));
            return new CommandReply(Status.OK, f, head + "Migration " + m.id() + " done: " + m.size()
                    + " thread(s), each moved at its own quiescence point; slowest after "
                    + MigrationText.ms(rep.maxDelay()) + " (" + MigrationText.ms(rep.elapsed()) + " in all).\n"
                    + MigrationText.threads(rep));
        } catch (MigrationTimeoutException e) {
            f.put("moved", Long.toString(m.size() - m.remaining()));
            f.put("pending", Integer.toString(e.stragglers().size()));
            f.put("stragglers", MigrationText.names(e.stragglers()));
            return new CommandReply(Status.TIMEOUT, f, head + "Migration " + m.id() + " not complete after "
                    + timeout.toMillis() + " ms: " + e.stragglers().size() + " of " + m.size()
                    + " thread(s) have not reached a quiescence point (the end of their current request):\n"
                    + MigrationText.stragglers(e.stragglers())
                    + stays + " and the migration goes on: these threads move at their next quiescence point; "
                    + "the others already run in view " + a.target().id() + ".\n"
                    + "To follow it: atlas status " + pid + "\n"
                    + (a.rollback() ? "" : "To undo the patch: atlas patch rollback " + pid + "\n"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new CommandReply(Status.FAILED, f, head + "Interrupted while waiting for migration " + m.id()
                    + "; it goes on. See: atlas status " + pid + "\n");
        }
    }

    // ------------------------------------------------------------------ status

    private CommandReply status() {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("pid", Long.toString(pid));
        AtlasAgent.Installed in = AtlasAgent.installed();
        if (in == null) {
            f.put("agent", "not-installed");
            return new CommandReply(Status.OK, f, "Process " + pid + ": the Atlas agent is not installed (no code views). "
                    + "Start the JVM with -javaagent:atlas-agent.jar, or run: atlas attach " + pid + "\n");
        }
        f.putAll(agentFields(in, false));
        CodeViews cv = CodeViews.get();
        SpaceDescription s = cv.space().describe();
        List<PatchApplication> applied = cv.applied();
        List<Migration> running = cv.space().runningMigrations();
        f.put("default-view", Long.toString(s.defaultViewId()));
        StringJoiner views = new StringJoiner(",");
        for (SpaceDescription.ViewInfo v : s.views()) {
            views.add(Long.toString(v.id()));
        }
        f.put("views", views.toString());
        StringJoiner ids = new StringJoiner(",");
        for (PatchApplication a : applied) {
            ids.add(a.patchId());
        }
        f.put("applied", ids.toString());
        f.put("threads", Integer.toString(s.threads().size()));
        f.put("threads-outside-default", Long.toString(MigrationText.threadsOutside(s, s.defaultViewId())));
        f.put("running-migrations", Integer.toString(running.size()));
        List<Straggler> stragglers = new ArrayList<>();
        for (Migration m : running) {
            stragglers.addAll(m.stragglers());
        }
        f.put("stragglers", MigrationText.names(stragglers));
        StringBuilder sb = new StringBuilder();
        sb.append("Process ").append(pid).append(": Atlas agent installed ").append(how(in)).append("; ")
                .append(describe(in)).append(".\n").append(failures(in));
        if (applied.isEmpty()) {
            sb.append("No patch applied.\n");
        } else {
            sb.append("Applied patches (newest first):\n");
            for (PatchApplication a : applied) {
                View v = a.target();
                sb.append("  ").append(a.patchId()).append(" in view ").append(v.id()).append(" '").append(v.name())
                        .append("' (").append(v.state()).append("), on view ").append(a.previous().id()).append('\n');
            }
        }
        sb.append(s.render());
        sb.append(MigrationText.running(running));
        return new CommandReply(Status.OK, f, sb.toString());
    }

    // ------------------------------------------------------------------ helpers

    private static CommandReply refused(Map<String, String> f, String why) {
        return new CommandReply(Status.REFUSED, f, "refused: " + why + "\nNothing was changed in the target JVM.\n");
    }

    /**
     * A patch refused after this very command installed the agent: the patch changed nothing,
     * but the JVM is not as it was (the agent stays, the loaded classes it selected were
     * retransformed with entry guards, which run their original code until a patch).
     */
    private static CommandReply refusedAfterInstall(Map<String, String> f, String why, AtlasAgent.Installed in) {
        f.putAll(agentFields(in, false));
        return new CommandReply(Status.REFUSED, f, "refused: " + why + "\nThe patch changed nothing. But the Atlas "
                + "agent was not installed before this command: it was installed by late attach (default options: "
                + describe(in) + ") and " + in.retransformed() + " loaded class(es) were retransformed to add entry "
                + "guards (they run their original code until a patch replaces it); the agent stays installed.\n"
                + failures(in));
    }

    private static Map<String, String> agentFields(AtlasAgent.Installed in, boolean wasInstalled) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("agent", in.lateAttach() ? "late-attach" : "start-up");
        f.put("already-installed", Boolean.toString(wasInstalled));
        f.put("retransformed", Integer.toString(in.retransformed()));
        f.put("instrumented", Long.toString(in.transformer().instrumentedCount()));
        f.put("not-patchable", Long.toString(in.transformer().failedCount()));
        f.put("boundary-only", Long.toString(in.transformer().boundaryOnlyCount()));
        f.put("boundaries-unmatched", String.join(";", in.boundaries().unmatched()));
        return f;
    }

    private static String how(AtlasAgent.Installed in) {
        return in.lateAttach() ? "by late attach" : "at start-up (-javaagent)";
    }

    private static String describe(AtlasAgent.Installed in) {
        return in.transformer().selector() + "; boundaries " + (in.options().boundaries().isEmpty() ? "none"
                : in.options().boundaries()) + "; " + in.transformer().instrumentedCount() + " class(es) patchable, "
                + in.transformer().boundaryOnlyCount() + " more with request boundaries only; " + jitStatus()
                + unmatched(in);
    }

    /** The boundary options that matched no method of a class loaded so far (a typo, or a server not in use). */
    private static String unmatched(AtlasAgent.Installed in) {
        List<String> u = in.boundaries().unmatched();
        return u.isEmpty() ? "" : "\nboundary option(s) matching no method of a loaded class so far: " + u;
    }

    /** E.g. {@code JIT at SCHED_IDLE during a patch}, or why the JIT's priority is left alone. */
    private static String jitStatus() {
        JitPriorityWindow w = CodeViews.get().jitPriorityWindow();
        return w.unavailable().map(why -> "JIT priority left alone during a patch: " + why)
                .orElse("JIT at " + w.priority().describe() + " during a patch");
    }

    private static String failures(AtlasAgent.Installed in) {
        List<String> fs;
        synchronized (in.failures()) {
            fs = List.copyOf(in.failures());
        }
        if (fs.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder(fs.size() + " class(es) could not be made patchable"
                + (fs.size() >= 100 ? " (first 100)" : "") + ":\n");
        fs.forEach(x -> sb.append("  ").append(x).append('\n'));
        return sb.toString();
    }
}
