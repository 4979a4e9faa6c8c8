package dev.atlas.cli.patch;

import com.sun.tools.attach.AgentInitializationException;
import com.sun.tools.attach.AgentLoadException;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import dev.atlas.patch.agent.command.CommandChannel;
import dev.atlas.patch.agent.command.CommandReply;
import dev.atlas.patch.agent.command.CommandRequest;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.Arrays;
import java.util.Optional;

/**
 * A running JVM that commands are sent to, through the Attach API: checked first (exists,
 * same user, a JVM) with a clear message for each failure, then attached, and the agent
 * jar loaded with the command's arguments (see {@link CommandChannel}).
 *
 * <p>Implementation notes: the checks run before attaching because attaching to a process
 * that is not a JVM waits for a handshake that never comes (seconds), and because the
 * Attach API's own messages do not say which JVM flag is the cause. On Linux a process is a
 * JVM if {@code libjvm.so} is mapped into it ({@code /proc/<pid>/maps}, readable only by its
 * own user).
 */
final class TargetJvm {
    private final long pid;
    private final String command;

    private TargetJvm(long pid, String command) {
        this.pid = pid;
        this.command = command;
    }

    long pid() {
        return pid;
    }

    /**
     * Checks that {@code pid} is a JVM this user may attach to.
     *
     * @throws CliFailure saying what is wrong: no such process, this process, another user's, not a JVM
     */
    static TargetJvm of(long pid) throws CliFailure {
        if (pid <= 0) {
            throw new CliFailure("pid " + pid + ": expected a positive process id");
        }
        if (pid == ProcessHandle.current().pid()) {
            throw new CliFailure("pid " + pid + " is this atlas command itself; give the pid of the application's JVM");
        }
        Optional<ProcessHandle> ph = ProcessHandle.of(pid);
        if (ph.isEmpty() || !ph.get().isAlive()) {
            throw new CliFailure("no such process: " + pid + " (list Java processes with 'jps -l')");
        }
        ProcessHandle.Info info = ph.get().info();
        String cmd = info.command().orElse("?");
        Optional<String> owner = info.user();
        Optional<String> me = ProcessHandle.current().info().user();
        if (owner.isPresent() && me.isPresent() && !owner.get().equals(me.get())) {
            throw new CliFailure("process " + pid + " (" + cmd + ") belongs to user '" + owner.get() + "', and atlas runs as '"
                    + me.get() + "': the attach mechanism accepts commands only from the JVM's own user; run atlas as '"
                    + owner.get() + "'");
        }
        Path maps = Path.of("/proc", Long.toString(pid), "maps");
        if (Files.exists(Path.of("/proc/self/maps"))) {
            try {
                String m = Files.readString(maps);
                if (!m.contains("/libjvm.")) {
                    throw new CliFailure("process " + pid + " (" + cmd + ") is not a Java virtual machine (no libjvm in "
                            + maps + ")");
                }
            } catch (NoSuchFileException e) {
                throw new CliFailure("no such process: " + pid);
            } catch (AccessDeniedException e) {
                throw new CliFailure("process " + pid + " (" + cmd + ") belongs to another user (" + maps
                        + " is not readable): the attach mechanism accepts commands only from the JVM's own user");
            } catch (IOException e) {
                // cannot tell: let the attach mechanism decide
            }
        }
        return new TargetJvm(pid, cmd);
    }

    /**
     * A note for stderr if the target JVM will print the JDK's dynamic-agent warning, or null.
     * Known only if the JVM's arguments are visible.
     */
    String dynamicLoadingNote() {
        Optional<String[]> args = ProcessHandle.of(pid).flatMap(p -> p.info().arguments());
        if (args.isEmpty() || Arrays.asList(args.get()).contains("-XX:+EnableDynamicAgentLoading")) {
            return null;
        }
        return "note: process " + pid + " was not started with -XX:+EnableDynamicAgentLoading, so it prints a JDK "
                + "warning when atlas loads its agent (commands reach the agent that way, even one started with "
                + "-javaagent); the command runs all the same";
    }

    /**
     * Sends a command and returns the agent's reply.
     *
     * @param dir the private command directory holding anything the request names
     * @param timings where the phases' times go ({@code --timings})
     * @throws CliFailure if the JVM cannot be attached or the agent cannot be loaded (which flag, if known)
     */
    CommandReply send(Path agentJar, CommandRequest request, Path dir, CommandTimings timings) throws CliFailure {
        try {
            request.write(dir);
        } catch (IOException e) {
            throw new CliFailure("cannot write the command to " + dir + ": " + e.getMessage(), e);
        }
        timings.checked();
        VirtualMachine vm = attach();
        timings.attached();
        try {
            vm.loadAgent(agentJar.toString(), CommandChannel.agentArgs(request.verb(), dir));
            timings.loadReturned();
        } catch (AgentLoadException e) {
            String m = String.valueOf(e.getMessage());
            if (m.contains("Dynamic agent loading is not enabled")) {
                throw new CliFailure("process " + pid + " was started with -XX:-EnableDynamicAgentLoading: it refuses to "
                        + "load agents at run time, and atlas reaches its agent that way (even one loaded with "
                        + "-javaagent). Restart it with -XX:+EnableDynamicAgentLoading (and preferably "
                        + "-javaagent:atlas-agent.jar)", e);
            }
            throw new CliFailure("process " + pid + " could not load " + agentJar + ": " + m, e);
        } catch (AgentInitializationException e) {
            throw new CliFailure("the Atlas agent failed in process " + pid + " (code " + e.returnValue()
                    + "); its stderr says why: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new CliFailure("lost the connection to process " + pid + " while it ran the command (did it exit?): "
                    + e.getMessage(), e);
        } finally {
            try {
                vm.detach();
            } catch (IOException ignored) {
                // the command is done (or failed) either way
            }
        }
        Path reply = dir.resolve(CommandReply.FILE);
        if (!Files.isRegularFile(reply)) {
            throw new CliFailure("process " + pid + " loaded the agent but wrote no reply: its Atlas agent may be an "
                    + "older version (an earlier atlas-agent.jar loaded first wins), or it refused the command "
                    + "directory (see the process's log)");
        }
        try {
            CommandReply r = CommandReply.read(reply);
            timings.replied();
            return r;
        } catch (IOException | IllegalArgumentException e) {
            throw new CliFailure("cannot read the reply of process " + pid + ": " + e.getMessage(), e);
        }
    }

    /**
     * Waits for the final reply of an apply or rollback whose first reply was
     * {@link CommandReply.Status#STARTED}: the agent writes it into {@code dir} when the
     * migration is done or {@code timeout} ran out. Only this CLI waits; the target JVM is
     * free meanwhile (other commands, {@code jcmd}).
     *
     * @return the final reply, or a TIMEOUT reply saying that none came within
     *         {@code timeout} plus {@link #FINAL_REPLY_GRACE}
     * @throws CliFailure if the process exited meanwhile, or the reply cannot be read
     */
    CommandReply awaitFinal(Path dir, Duration timeout, CommandReply started) throws CliFailure {
        Path file = dir.resolve(CommandReply.FINAL_FILE);
        long deadline = System.nanoTime() + timeout.plus(FINAL_REPLY_GRACE).toNanos();
        try (WatchService watch = dir.getFileSystem().newWatchService()) {
            dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE);
            while (!Files.isRegularFile(file)) {
                if (ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true)) {
                    throw new CliFailure("process " + pid + " exited before it reported the end of migration "
                            + started.field("migration"));
                }
                if (System.nanoTime() - deadline > 0) {
                    return new CommandReply(CommandReply.Status.TIMEOUT, Map.of(), "Process " + pid
                            + " sent no final report of migration " + started.field("migration") + " within "
                            + timeout.plus(FINAL_REPLY_GRACE).toMillis() + " ms; the change is in effect. "
                            + "To follow the migration: atlas status " + pid + "\n");
                }
                WatchKey k = watch.poll(200, TimeUnit.MILLISECONDS);   // or re-check the process now and then
                if (k != null) {
                    k.pollEvents();
                    k.reset();
                }
            }
            return CommandReply.read(file);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliFailure("interrupted while waiting for migration " + started.field("migration")
                    + " of process " + pid + "; it goes on (see: atlas status " + pid + ")", e);
        } catch (IOException | IllegalArgumentException e) {
            throw new CliFailure("cannot read the final reply of process " + pid + ": " + e.getMessage(), e);
        }
    }

    /** How much longer than the request's timeout the CLI waits for the agent's final reply. */
    static final Duration FINAL_REPLY_GRACE = Duration.ofSeconds(30);

    private VirtualMachine attach() throws CliFailure {
        try {
            return VirtualMachine.attach(Long.toString(pid));
        } catch (AttachNotSupportedException e) {
            String m = String.valueOf(e.getMessage());
            if (m.contains("does not support the attach mechanism")) {
                throw new CliFailure("process " + pid + " (" + command + ") was started with -XX:+DisableAttachMechanism: "
                        + "atlas cannot reach it. Restart it without that flag", e);
            }
            if (m.contains("handshake") || m.contains("respond")) {
                throw new CliFailure("process " + pid + " (" + command + ") did not answer the attach handshake: it is "
                        + "not a HotSpot JVM, or it was started with -XX:+DisableAttachMechanism, or it is suspended "
                        + "(" + m + ")", e);
            }
            throw new CliFailure("cannot attach to process " + pid + " (" + command + "): " + m, e);
        } catch (IOException e) {
            String m = String.valueOf(e.getMessage());
            if (m.contains("non existent")) {
                throw new CliFailure("no such process: " + pid, e);
            }
            if (m.toLowerCase(java.util.Locale.ROOT).contains("permission") || m.contains("not secure")) {
                throw new CliFailure("cannot attach to process " + pid + ": " + m + " (is it another user's JVM? the "
                        + "attach mechanism accepts commands only from the JVM's own user)", e);
            }
            throw new CliFailure("cannot attach to process " + pid + " (" + command + "): " + m, e);
        }
    }
}
