package dev.atlas.patch.agent.command;

import dev.atlas.core.Migration;
import dev.atlas.core.Straggler;
import dev.atlas.core.View;
import dev.atlas.core.observe.SpaceDescription;
import dev.atlas.patch.agent.command.CommandReply.Status;
import dev.atlas.patch.agent.install.AgentInstaller;
import dev.atlas.patch.agent.install.Installation;
import dev.atlas.patch.agent.install.PatchSelection;
import dev.atlas.patch.agent.install.SelectionWidening;
import dev.atlas.patch.instrument.ClassSelector;
import dev.atlas.patch.format.MalformedPatchException;
import dev.atlas.patch.format.PatchSignatureException;
import dev.atlas.patch.format.PatchVerifier;
import dev.atlas.patch.format.VerifiedPatch;
import dev.atlas.patch.jit.JitPriorityWindow;
import dev.atlas.patch.runtime.CodeViews;
import dev.atlas.patch.runtime.LoaderScope;
import dev.atlas.patch.runtime.PatchApplication;
import dev.atlas.patch.runtime.PatchPipeline;
import dev.atlas.patch.runtime.PatchRejectedException;
import dev.atlas.patch.runtime.TransferHookFailedException;
import dev.atlas.patch.runtime.PreparationCost;

import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * What the agent does for each {@link CommandRequest.Verb}, inside the target JVM.
 *
 * <p>Apply: hand the patch file and the trusted key store, if one is given, to the agent's
 * {@link PatchPipeline} (which reads and verifies the file once, here, in the target, on the
 * private copy in the command directory: the bytes checked are the bytes defined), installing
 * the agent first if it is not yet (late attach, only once the file has passed its checks),
 * selecting what the patch needs ({@link PatchSelection}: the classes it changes and the
 * supertypes whose methods it overrides, plus request boundaries) unless includes are given; on an installed
 * agent, the includes given and what the patch needs that it does not select widen its
 * selection ({@link AgentInstaller#widen}). Attach to an installed agent widens it the same way. Apply and rollback reply as soon as the migration has started
 * ({@link Status#STARTED}); a {@link MigrationFollower} writes the final reply when every
 * thread has moved or the request's timeout ran out. A timeout does not roll back: the patch
 * stays applied and the remaining threads move at their next quiescence point; the final
 * reply names them with their stacks.
 *
 * <p>Threading: one command at a time (the attach-listener thread); nothing here waits for
 * an application thread.
 */
final class AgentCommands {
    private final Instrumentation inst;
    private final Path dir;
    private final long pid = ProcessHandle.current().pid();

    /** Commands whose files (and final replies) are in {@code dir}. */
    AgentCommands(Instrumentation inst, Path dir) {
        this.inst = inst;
        this.dir = Objects.requireNonNull(dir, "dir");
    }

    CommandReply run(CommandRequest r) {
        return switch (r.verb()) {
            case ATTACH -> attach(r);
            case APPLY -> apply(r);
            case ROLLBACK -> rollback(r);
            case STATUS -> status();
            case VARIANT_APPLY, VARIANT_REMOVE, VARIANT_LIST -> {
                Installation in = AgentInstaller.installed();
                yield in == null ? refused(Map.of(), "the Atlas agent is not installed in process " + pid
                        + ": no code views to derive a variant from (start the JVM with -javaagent:atlas-agent.jar, "
                        + "or run: atlas attach " + pid + ")")
                        : new VariantCommands(this, in, pid).run(r);
            }
        };
    }

    // ------------------------------------------------------------------ attach

    private CommandReply attach(CommandRequest r) {
        Installation before = AgentInstaller.installed();
        if (before != null) {
            return widenInstalled(before, r.agentOptions());
        }
        Installation now;
        try {
            now = AgentInstaller.install(r.agentOptions(), inst, true);
        } catch (IllegalArgumentException e) {
            return refused(Map.of(), "agent options refused: " + e.getMessage());
        }
        return new CommandReply(Status.OK, agentFields(now, false), "Atlas agent installed by late attach in process "
                + pid + ": " + now.retransformed() + " loaded class(es) made patchable; " + describe(now) + ".\n"
                + failures(now));
    }

    /**
     * An attach to an installed agent: widens its selection by the includes given (with their
     * excludes); the other options cannot change once installed and are said to be ignored.
     */
    private CommandReply widenInstalled(Installation in, String options) {
        GivenSelection given;
        try {
            given = GivenSelection.parse(options);
        } catch (IllegalArgumentException e) {
            return refused(Map.of(), "agent options refused: " + e.getMessage());
        }
        String head = "The Atlas agent was already installed " + how(in) + ".\n";
        if (given.selector() == null) {
            return new CommandReply(Status.OK, agentFields(in, true), head + "It keeps its selection ("
                    + in.transformer().selector() + ")" + given.ignored() + ".\n");
        }
        SelectionWidening w;
        try {
            w = widen(in, given.selector());
        } catch (WideningFailed e) {
            return wideningFailed(in, e.by, e.getCause(), "");
        }
        Map<String, String> f = agentFields(in, true);
        f.putAll(wideningFields(List.of(w)));
        return new CommandReply(Status.OK, f, head + describe(w) + given.ignored() + ".\n" + failures(in));
    }

    // ------------------------------------------------------------------ apply

    /**
     * Apply: read and check the patch; install the agent if it is not (by late attach, selecting
     * what the patch needs, {@link PatchSelection}, unless {@code --include} was given); widen an
     * installed agent's selection by the includes given and by what the patch needs that it does
     * not select; then hand the patch to the pipeline.
     */
    private CommandReply apply(CommandRequest r) {
        Map<String, String> f = new LinkedHashMap<>();
        KeyStore trusted = null;
        if (r.keystore() != null) {
            try {
                trusted = KeyStore.getInstance(r.keystore().toFile(),
                        r.keystorePassword() == null ? null : r.keystorePassword().toCharArray());
            } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
                return refused(f, "cannot read the trusted key store " + r.keystore() + ": " + e.getMessage());
            }
        }
        LoaderScope scope = r.loader() == null ? LoaderScope.ALL : LoaderScope.named(r.loader());
        Installation in = AgentInstaller.installed();
        String installNote = "";
        String ignoredNote = "";   // options given that an installed agent cannot take
        List<SelectionWidening> widened = new ArrayList<>();
        VerifiedPatch file;
        PatchApplication a;
        try {
            // checked before anything is installed or widened: a bad patch changes nothing
            file = PatchVerifier.open(r.patch(), trusted);
            GivenSelection given;
            try {
                given = GivenSelection.parse(r.agentOptions());
            } catch (IllegalArgumentException e) {
                return refused(f, "agent options refused: " + e.getMessage());
            }
            boolean derive = true;   // still to widen by what the patch needs
            if (in == null) {
                ClassSelector chosen = null;   // the options' include when given
                String selected = "the options given";
                if (given.selector() == null) {
                    PatchSelection need = PatchSelection.of(file.patch(), inst, given.excludes());
                    chosen = need.widening() == null ? ClassSelector.none() : need.widening();
                    selected = "the selection the patch needs (" + need.describe() + "), plus request boundaries";
                    derive = false;
                }
                // no warm-up here: it would only compete with this very patch for the CPU
                in = AgentInstaller.install("warmup=false" + (r.agentOptions() == null || r.agentOptions().isEmpty() ? ""
                        : "," + r.agentOptions()), chosen, inst, true);
                f.putAll(agentFields(in, false));
                installNote = "The Atlas agent was not installed: installed it now by late attach with " + selected + " ("
                        + describe(in) + "), " + in.retransformed() + " loaded class(es) made patchable.\n" + failures(in);
            } else if (given.selector() != null) {
                widened.add(widen(in, given.selector()));
                ignoredNote = given.ignored().isEmpty() ? "" : "The Atlas agent was already installed " + how(in)
                        + given.ignored() + ".\n";
            } else if (r.agentOptions() != null && !r.agentOptions().isEmpty()) {
                ignoredNote = "The Atlas agent was already installed " + how(in) + "; it keeps its options ("
                        + in.transformer().selector() + "): the options given now are ignored.\n";
            }
            if (derive) {
                PatchSelection need = PatchSelection.of(file.patch(), inst, in.transformer().selector(),
                        in.pipeline().views().registry());
                if (need.widening() != null) {
                    widened.add(widen(in, need.widening()));
                }
            }
            a = in.pipeline().apply(file.patch(), scope);
        } catch (MalformedPatchException e) {
            return refused(f, "malformed patch file: " + e.getMessage());
        } catch (PatchSignatureException e) {
            return refused(f, trusted != null ? "signature check failed: " + e.getMessage()
                    : "the patch carries a signature that does not verify (refused even though no signature is "
                    + "required): " + e.getMessage());
        } catch (IOException e) {
            return refused(f, "cannot read the patch file: " + e);
        } catch (TransferHookFailedException e) {
            return hookFailed(f, e, installNote + describe(widened));
        } catch (PatchRejectedException e) {
            if (!e.classesLeftDefined().isEmpty()) {
                return installNote.isEmpty() && retransformed(widened) == 0
                        ? refusedLeavingClasses(f, e.getMessage(), e.classesLeftDefined())
                        : refusedAfterChange(f, e.getMessage() + "\n" + leftDefined(e.classesLeftDefined()), in, installNote, widened);
            }
            return installNote.isEmpty() && retransformed(widened) == 0
                    ? refused(f, e.getMessage()) : refusedAfterChange(f, e.getMessage(), in, installNote, widened);
        } catch (WideningFailed e) {
            return wideningFailed(in, e.by, e.getCause(), installNote + describe(widened));
        }
        f.putAll(wideningFields(widened));
        f.put("selection", in.transformer().selector().toString());
        f.put("patch", a.patchId());
        f.put("applied-id", a.appliedId());
        if (scope.name() != null) {
            f.put("loader", scope.name());
        }
        if (file.signerTrusted()) {
            f.put("signer", file.signer().orElseThrow().getSubjectX500Principal().getName());
        }
        PreparationCost prep = a.preparation();
        f.put("prepare-ms", millis(prep.elapsed()));
        if (prep.cpu() != null) {
            f.put("prepare-cpu-ms", millis(prep.cpu()));
        }
        if (prep.jit() != null) {
            f.put("prepare-jit-ms", millis(prep.jit()));
        }
        String head = installNote + ignoredNote + describe(widened) + "patch " + a.patchId() + " (" + file.describeSigner()
                + ") applied" + scope.describe() + ": "
                + a.replacedMethods() + " method(s) replaced, " + a.addedMethods() + " added, " + a.shadowFields()
                + " new field(s), " + a.addedClasses() + " class(es) added; new code prepared in "
                + prep.describe() + "; now view " + a.target().id() + " '"
                + a.target().name() + "' (was view " + a.previous().id() + "); " + a.jitPriority() + ".\n"
                + (a.addedMethods() == 0 ? "" : dev.atlas.patch.format.MethodChange.ADDED_METHODS_REACH + "\n")
                + (addsReleaseFields(file.patch()) ? dev.atlas.patch.format.FieldAddition.ADDED_FIELDS_REACH + "\n" : "")
                + addedClassNames(a) + staticState(file.patch()) + monitorsKept(file.patch()) + objectRebuilds(a, "")
                + notCarried(file.patch()) + unapplied(a.unappliedChanges(), "");
        f.put("object-rebuilds", Integer.toString(a.objectRebuilds().size()));
        f.put("jit", a.jitPriority());
        f.put("unapplied-changes", Integer.toString(a.unappliedChanges().size()));
        return follow(in.pipeline(), a.migration(), a.target(), a.previous(), r.timeout(), f, head,
                "The patch stays applied (it is NOT rolled back)", "To undo the patch: atlas patch rollback " + pid
                        + (scope.name() == null ? "" : " --class-loader " + scope.name()) + "\n");
    }

    /** Whether the patch adds a field the new release declares (plain loops: this runs at the patch instant). */
    private static boolean addsReleaseFields(dev.atlas.patch.format.Patch patch) {
        for (var c : patch.classes()) {
            for (dev.atlas.patch.format.FieldAddition f : c.addedFields()) {
                if (f.declaredByRelease()) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The name each added class was defined under, and why when not its own (empty when the patch adds none). */
    private static String addedClassNames(PatchApplication a) {
        StringBuilder sb = new StringBuilder();
        for (String line : a.addedClassNames()) {
            sb.append(sb.isEmpty() ? "Added classes:\n" : "").append("  ").append(line).append('\n');
        }
        return sb.toString();
    }

    /** What static state the new view has and how it gets it (empty when the patch rebuilds none). */
    private static String staticState(dev.atlas.patch.format.Patch patch) {
        StringBuilder sb = new StringBuilder();
        for (String line : dev.atlas.patch.format.StaticStateSummary.lines(patch)) {
            sb.append(sb.isEmpty() ? "Static state of the new view:\n" : "").append("  ").append(line).append('\n');
        }
        return sb.toString();
    }

    /** Methods the new release no longer declares synchronized whose running monitor calls still take (empty when none). */
    private static String monitorsKept(dev.atlas.patch.format.Patch patch) {
        StringBuilder sb = new StringBuilder();
        for (String line : dev.atlas.patch.format.MonitorNotes.lines(patch)) {
            sb.append(sb.isEmpty() ? "Monitors kept (methods the new release no longer declares synchronized):\n" : "")
                    .append("  ").append(line).append('\n');
        }
        return sb.toString();
    }

    /**
     * The classes whose objects made before the apply the patch's view rebuilds (empty when none), with
     * what the rebuild means for the old view and a rollback, under {@code indent}.
     */
    static String objectRebuilds(PatchApplication a, String indent) {
        if (a.objectRebuilds().isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder(indent).append("Objects rebuilt (").append(a.objectRebuilds().size())
                .append("; the operator's --rebuild-objects, the claim that the method resets the state from scratch; "
                        + "old-view threads run the old code but share the objects, so they see the rebuilt state; a "
                        + "rollback leaves rebuilt objects rebuilt):\n");
        for (dev.atlas.patch.runtime.ObjectRebuild r : a.objectRebuilds()) {
            sb.append(indent).append("  ").append(r.describe()).append('\n');
        }
        return sb.toString();
    }

    /** The resources the new release changes that the patch does not carry (empty when none). */
    private static String notCarried(dev.atlas.patch.format.Patch patch) {
        java.util.List<String> resources = patch.uncarriedResources();
        if (resources.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder("Resources NOT carried (").append(resources.size())
                .append("; the new release adds, changes or removes them, and every view reads the running release's): ");
        for (int i = 0; i < resources.size() && i < 10; i++) {
            sb.append(i == 0 ? "" : ", ").append(resources.get(i));
        }
        return sb.append(resources.size() > 10 ? ", ... (atlas patch inspect lists them all)\n" : "\n").toString();
    }

    /**
     * The changes the patch reports but does not apply (empty when none): modifiers the loaded
     * classes keep, object state built by changed constructors' calls, one line each under
     * {@code indent}.
     */
    private static String unapplied(List<String> changes, String indent) {
        if (changes.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder(indent).append("Reported, NOT applied (").append(changes.size())
                .append("; each line says what the running JVM keeps):\n");
        for (String c : changes) {
            sb.append(indent).append("  ").append(c).append('\n');
        }
        return sb.toString();
    }

    private static String millis(Duration d) {
        return String.format(java.util.Locale.ROOT, "%.1f", d.toNanos() / 1e6);
    }

    // ------------------------------------------------------------------ rollback

    private CommandReply rollback(CommandRequest r) {
        Installation in = AgentInstaller.installed();
        if (in == null) {
            return refused(Map.of(), "the Atlas agent is not installed in process " + pid + ": no patch to roll back");
        }
        LoaderScope scope = r.loader() == null ? LoaderScope.ALL : LoaderScope.named(r.loader());
        PatchApplication a;
        try {
            a = in.pipeline().rollback(scope);
        } catch (IllegalStateException e) {
            return refused(Map.of(), e.getMessage());
        }
        Map<String, String> f = new LinkedHashMap<>();
        f.put("patch", a.patchId());
        f.put("applied-id", a.appliedId());
        if (a.scope().name() != null) {
            f.put("loader", a.scope().name());
        }
        String head = "patch " + a.patchId() + " rolled back" + a.scope().describe() + ": threads move to view "
                + a.target().id() + " '" + a.target().name() + "'; view " + a.previous().id()
                + " retires once its last thread left; " + a.jitPriority() + ".\n" + rebuiltStay(a);
        f.put("jit", a.jitPriority());
        return follow(in.pipeline(), a.migration(), a.target(), a.previous(), r.timeout(), f, head,
                "The rollback stands (the default view is already view " + a.target().id() + ")", "");
    }

    /** What a rollback leaves of the objects the patch rebuilt (empty when it rebuilds none). */
    private static String rebuiltStay(PatchApplication a) {
        StringBuilder sb = new StringBuilder();
        for (dev.atlas.patch.runtime.ObjectRebuild r : a.objectRebuilds()) {
            sb.append("Objects rebuilt by the patch STAY rebuilt (their state is the new code's; nothing restores the old "
                    + "one): ").append(r.rebuiltCount()).append(" object(s) of ").append(r.className().replace('/', '.'))
                    .append(" rebuilt by re-running ").append(dev.atlas.patch.format.ObjectRebuilds.names(r.method())).append("; objects not "
                    + "rebuilt yet keep their state; an apply of the same patch again does not rebuild an object twice.\n");
        }
        return sb.toString();
    }

    /**
     * The reply to a change whose migration has started: the final one at once if the
     * migration is already done or there is no time to wait, else {@link Status#STARTED}, the
     * final one following from a {@link MigrationFollower}.
     */
    CommandReply follow(PatchPipeline pipeline, Migration m, View target, View previous, Duration timeout,
                        Map<String, String> f, String head, String stays, String undo) {
        f.put("view", Long.toString(target.id()));
        f.put("previous-view", Long.toString(previous.id()));
        f.put("migration", Long.toString(m.id()));
        f.put("threads", Integer.toString(m.size()));
        MigrationFollower follower = new MigrationFollower(m, target, pipeline.views().space(), timeout, stays, undo,
                pid);
        CommandReply started = new CommandReply(Status.STARTED, f, head);
        if (m.isDone() || timeout.isZero()) {
            return started.followedBy(follower.outcome());
        }
        follower.start(dir, pipeline.scheduler());
        return started;
    }

    // ------------------------------------------------------------------ status

    private CommandReply status() {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("pid", Long.toString(pid));
        Installation in = AgentInstaller.installed();
        if (in == null) {
            f.put("agent", "not-installed");
            return new CommandReply(Status.OK, f, "Process " + pid + ": the Atlas agent is not installed (no code views). "
                    + "Start the JVM with -javaagent:atlas-agent.jar, or run: atlas attach " + pid + "\n");
        }
        f.putAll(agentFields(in, false));
        CodeViews cv = in.pipeline().views();
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
            ids.add(a.appliedId());
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
                .append(describe(in)).append(".\n");
        for (SelectionWidening w : in.widenings()) {
            sb.append("  ").append(w.describe()).append('\n');
        }
        sb.append(failures(in));
        if (applied.isEmpty()) {
            sb.append("No patch applied.\n");
        } else {
            sb.append("Applied patches (newest first):\n");
            for (PatchApplication a : applied) {
                View v = a.target();
                sb.append("  ").append(a.patchId())
                        .append(a.scope().name() == null ? " (every class loader)" : a.scope().describe())
                        .append(" in view ").append(v.id()).append(" '").append(v.name())
                        .append("' (").append(v.state()).append("), on view ").append(a.previous().id()).append('\n')
                        .append(objectRebuilds(a, "    "))
                        .append(unapplied(a.unappliedChanges(), "    "));
            }
        }
        sb.append(s.render());
        sb.append(MigrationText.running(running));
        return new CommandReply(Status.OK, f, sb.toString());
    }

    // ------------------------------------------------------------------ helpers

    static CommandReply refused(Map<String, String> f, String why) {
        return new CommandReply(Status.REFUSED, f, "refused: " + why + "\nNothing was changed in the target JVM.\n");
    }

    /** Refused after defining some of the classes the patch adds, which no loader can undefine. */
    static CommandReply refusedLeavingClasses(Map<String, String> f, String why, List<String> classes) {
        return new CommandReply(Status.REFUSED, f, "refused: " + why + "\nNo view was published and no thread moved; "
                + leftDefined(classes) + "\n");
    }

    private static String leftDefined(List<String> classes) {
        return classes.size() + " class(es) the patch adds, which this apply had defined before it was refused, stay "
                + "defined in their class loaders (the JVM cannot undefine a class; no code runs them, and applying this "
                + "same patch again reuses them): " + String.join(", ", classes);
    }

    /**
     * A patch whose state-transfer hook threw: not applied, but not "nothing changed" either:
     * the hooks that ran (and the failed one, up to its failure) changed what they wrote.
     */
    private static CommandReply hookFailed(Map<String, String> f, TransferHookFailedException e, String installNote) {
        f.put("hooks-completed", String.join(",", e.completed()));
        f.put("hook-failed", e.failed());
        return new CommandReply(Status.REFUSED, f, "refused: " + e.getMessage() + "\nThe patch was not applied: its "
                + "view retired unused and no thread moved. But its state-transfer code ran in the target JVM: "
                + (e.completed().isEmpty() ? "" : "the hook(s) of " + String.join(", ", e.completed())
                + " ran to the end, and ") + "the hook of " + e.failed() + " ran until it threw; whatever they wrote "
                + "stays written (Atlas does not undo a hook's effects).\n" + installNote);
    }

    /**
     * A patch refused after this very command installed the agent or widened its selection: the
     * patch changed nothing, but the JVM is not as it was (the agent stays, the loaded classes it
     * selected were retransformed with entry guards, which run their original code until a patch).
     */
    private static CommandReply refusedAfterChange(Map<String, String> f, String why, Installation in, String installNote,
                                                   List<SelectionWidening> widened) {
        f.putAll(agentFields(in, installNote.isEmpty()));
        f.putAll(wideningFields(widened));
        return new CommandReply(Status.REFUSED, f, "refused: " + why + "\nThe patch changed nothing. But "
                + (installNote.isEmpty() ? "" : "the Atlas agent was not installed before this command: it was "
                + "installed by late attach (" + describe(in) + ") and " + in.retransformed() + " loaded class(es) were "
                + "retransformed to add entry guards; the agent stays installed. ")
                + (widened.isEmpty() ? "" : "This command " + describe(widened).replace("\n", " ").trim() + " ")
                + "Classes made patchable run their original code until a patch replaces it.\n" + failures(in));
    }

    /**
     * A widening that threw beyond a single class's failure: the agent went back to its previous
     * selection ({@link AgentInstaller#widen}); classes it made patchable before the failure stay so.
     */
    private static CommandReply wideningFailed(Installation in, ClassSelector by, Throwable e, String before) {
        Map<String, String> f = agentFields(in, true);
        return new CommandReply(Status.REFUSED, f, "refused: widening the agent's selection" + (by == null ? "" : " by " + by)
                + " failed: " + e + "\n" + before + "The agent keeps its selection (" + in.transformer().selector()
                + "); loaded classes already made patchable stay so (their guards run the original code until a patch); "
                + "no patch was applied by this command. A later attach or apply tries the widening again.\n" + failures(in));
    }

    /** A widening that threw ({@link AgentInstaller#widen}): the selection it tried to add. */
    private static final class WideningFailed extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient ClassSelector by;

        WideningFailed(ClassSelector by, Throwable cause) {
            super(cause);
            this.by = by;
        }
    }

    private static SelectionWidening widen(Installation in, ClassSelector by) throws WideningFailed {
        try {
            return AgentInstaller.widen(in, by);
        } catch (RuntimeException | LinkageError | InternalError e) {
            throw new WideningFailed(by, e);
        }
    }

    /** The fields of this command's widenings (none when there were none). */
    private static Map<String, String> wideningFields(List<SelectionWidening> widened) {
        Map<String, String> f = new LinkedHashMap<>();
        if (!widened.isEmpty()) {
            StringJoiner by = new StringJoiner(" + ");
            int failed = 0;
            for (SelectionWidening w : widened) {
                by.add(w.added().toString());
                failed += w.failures().size();
            }
            f.put("widened-by", by.toString());
            f.put("widened-retransformed", Integer.toString(retransformed(widened)));
            f.put("widened-failed", Integer.toString(failed));
        }
        return f;
    }

    private static int retransformed(List<SelectionWidening> widened) {
        int n = 0;
        for (SelectionWidening w : widened) {
            n += w.retransformed();
        }
        return n;
    }

    /** One line per widening ("" for none). */
    private static String describe(List<SelectionWidening> widened) {
        StringBuilder sb = new StringBuilder();
        for (SelectionWidening w : widened) {
            sb.append(describe(w)).append(".\n");
        }
        return sb.toString();
    }

    private static String describe(SelectionWidening w) {
        if (w.nanos() == 0 && w.retransformed() == 0) {
            return "Its selection already had " + w.added() + ": nothing to add";
        }
        String d = w.describe();
        return Character.toUpperCase(d.charAt(0)) + d.substring(1);
    }

    private static Map<String, String> agentFields(Installation in, boolean wasInstalled) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("agent", in.lateAttach() ? "late-attach" : "start-up");
        f.put("already-installed", Boolean.toString(wasInstalled));
        f.put("retransformed", Integer.toString(in.retransformedInAll()));
        f.put("widenings", Integer.toString(in.widenings().size()));
        f.put("selection", in.transformer().selector().toString());
        f.put("instrumented", Long.toString(in.transformer().instrumentedCount()));
        f.put("not-patchable", Long.toString(in.transformer().failedCount()));
        f.put("boundary-only", Long.toString(in.transformer().boundaryOnlyCount()));
        f.put("boundaries-unmatched", String.join(";", in.boundaries().unmatched()));
        f.put("install-phases", in.phases().render());
        f.put("warmup-ms", in.pipeline().warmupState());
        return f;
    }

    private static String how(Installation in) {
        return in.lateAttach() ? "by late attach" : "at start-up (-javaagent)";
    }

    private static String describe(Installation in) {
        return in.transformer().selector() + "; boundaries " + (in.options().boundaries().isEmpty() ? "none"
                : in.options().boundaries()) + "; " + in.transformer().instrumentedCount() + " class(es) patchable, "
                + in.transformer().boundaryOnlyCount() + " more with request boundaries only; " + jitStatus(in)
                + unmatched(in);
    }

    /** The boundary options that matched no method of a class loaded so far (a typo, or a server not in use). */
    private static String unmatched(Installation in) {
        List<String> u = in.boundaries().unmatched();
        return u.isEmpty() ? "" : "\nboundary option(s) matching no method of a loaded class so far: " + u;
    }

    /** E.g. {@code JIT at SCHED_IDLE during a patch}, or why the JIT's priority is left alone. */
    private static String jitStatus(Installation in) {
        JitPriorityWindow w = in.pipeline().jitPriorityWindow();
        return w.unavailable().isPresent() ? "JIT priority left alone during a patch: " + w.unavailable().get()
                : "JIT at " + w.priority().describe() + " during a patch";
    }

    private static String failures(Installation in) {
        List<String> fs;
        synchronized (in.failures()) {
            fs = List.copyOf(in.failures());
        }
        if (fs.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder(fs.size() + " class(es) could not be made patchable"
                + (fs.size() >= 100 ? " (first 100)" : "") + ":\n");
        for (String x : fs) {
            sb.append("  ").append(x).append('\n');
        }
        return sb.toString();
    }
}
