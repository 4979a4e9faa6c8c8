package dev.atlas.patch.agent.command;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.instrument.Instrumentation;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The agent side of {@code atlas patch apply|rollback}, {@code atlas status} and
 * {@code atlas attach}: the CLI reaches a running JVM only through the Attach API (a local
 * socket that the JVM accepts from its own OS user only; no network port), by loading the
 * agent jar again with the arguments {@code command=<verb>,dir=<directory>}. The JVM runs
 * {@code AtlasAgent.agentmain} on its attach-listener thread, which hands such arguments to
 * {@link #run}; the command runs there, and the CLI's {@code loadAgent} call returns when it
 * is done. Nothing there waits for an application thread: apply and rollback reply as soon as
 * their migration has started, and the agent writes their final reply
 * ({@value CommandReply#FINAL_FILE}) later, from its own scheduler thread
 * ({@link MigrationFollower}); the CLI waits for that file, not the JVM.
 *
 * {@snippet lang=text :
 *   CLI                                           target JVM (same OS user)
 *   mkdir -m 0700 /tmp/atlas-cmd-XXXX
 *   cp fix.atlaspatch  .../patch.atlaspatch
 *   write .../request.properties
 *   VirtualMachine.attach(pid)
 *     .loadAgent(atlas-agent.jar,  ------------>  AtlasAgent.agentmain("command=apply,dir=/tmp/atlas-cmd-XXXX")
 *        "command=apply,dir=...")                   CommandChannel.run: check the directory, read the request,
 *                                                   do it, write .../reply.txt
 *   read reply.txt (status=started)  <-------   return (the migration has started)
 *   wait for final-reply.txt         <-------   (agent's scheduler thread) migration done, or timeout:
 *   print both, rm -r                               write .../final-reply.txt
 * }
 *
 * <p>Implementation notes: the directory is created by the CLI with mode 0700, so no other
 * user can plant a request or swap the patch between the signature check and its use; the
 * agent refuses (and answers nothing) if it or a directory on its path is a symbolic link,
 * it is not owned by this process's user, or its mode is anything but 0700. Everything the command does is caught: a command never
 * throws into the attach mechanism (which would report a confusing AgentInitializationException);
 * failures are replies. The directory path is the last argument and taken verbatim, so it may
 * contain commas.
 *
 * <p>Threading: runs on the JVM's attach-listener thread, one command at a time.
 */
public final class CommandChannel {
    private static final System.Logger LOG = System.getLogger("dev.atlas.patch");

    /** Agent arguments that carry a command start with this. */
    public static final String PREFIX = "command=";
    private static final String DIR = ",dir=";

    /**
     * The reply field holding when this JVM began to run the command ({@link System#currentTimeMillis()}):
     * the CLI's {@code loadAgent} call up to then is the agent jar's loading and the attach listener's start.
     */
    public static final String ENTERED_FIELD = "agent-entered-at-ms";

    private CommandChannel() {}

    /** Whether agent arguments are a command (rather than agent options). */
    public static boolean isCommand(String agentArgs) {
        return agentArgs != null && agentArgs.startsWith(PREFIX);
    }

    /** The agent arguments for {@code verb} with its request in {@code dir}. */
    public static String agentArgs(CommandRequest.Verb verb, Path dir) {
        return PREFIX + verb.wireName() + DIR + dir.toAbsolutePath();
    }

    /** Runs the command named by {@code agentArgs} and writes its reply; never throws. */
    public static void run(String agentArgs, Instrumentation inst) {
        long entered = System.currentTimeMillis();   // the CLI's --timings: its loadAgent call up to here loaded the jar
        int d = agentArgs.indexOf(DIR);
        if (d < 0) {
            if (LOG.isLoggable(Level.WARNING)) {
                LOG.log(Level.WARNING, "Atlas: ignored agent command '" + agentArgs + "': expected command=<verb>,dir=<path>");
            }
            return;
        }
        String verb = agentArgs.substring(PREFIX.length(), d);
        Path dir = Path.of(agentArgs.substring(d + DIR.length()));
        Optional<String> distrust = distrust(dir);
        if (distrust.isPresent()) {
            if (LOG.isLoggable(Level.WARNING)) {
                LOG.log(Level.WARNING, "Atlas: ignored agent command '" + verb + "': " + distrust.get());
            }
            return;
        }
        CommandReply reply;
        try {
            CommandRequest request = CommandRequest.read(dir);
            if (!request.verb().wireName().equals(verb)) {
                throw new IllegalArgumentException("the arguments say '" + verb + "' but the request says '"
                        + request.verb().wireName() + "'");
            }
            // DEBUG: the outcome of a patch or rollback is logged at INFO where it happens; one
            // log record less at the patch instant (a record costs a stack walk and formatting)
            if (LOG.isLoggable(Level.DEBUG)) {
                LOG.log(Level.DEBUG, "Atlas: command " + request);
            }
            reply = new AgentCommands(inst, dir).run(request);
        } catch (IOException | RuntimeException | LinkageError e) {
            reply = new CommandReply(CommandReply.Status.FAILED, Map.of("error", e.toString()),
                    "the Atlas agent could not run command '" + verb + "': " + e + "\n");
            LOG.log(Level.WARNING, "Atlas: command '" + verb + "' failed", e);
        }
        Map<String, String> fields = new java.util.LinkedHashMap<>(reply.fields());
        fields.put(ENTERED_FIELD, Long.toString(entered));
        reply = new CommandReply(reply.status(), fields, reply.text());
        try {
            reply.write(dir);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "Atlas: could not write the reply of command '" + verb + "' to " + dir, e);
        }
    }

    /** Why the command directory is not to be trusted, if it is not. */
    static Optional<String> distrust(Path dir) {
        if (!dir.isAbsolute()) {
            return Optional.of("command directory " + dir + " is not an absolute path");
        }
        try {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                return Optional.of("command directory " + dir + " is not a directory (or is a symbolic link)");
            }
            if (!Files.getFileStore(dir).supportsFileAttributeView("posix")) {
                return Optional.empty();   // no POSIX permissions to check (Windows: the attach pipe is per-user)
            }
            Path real = dir.toRealPath();
            if (!real.equals(dir.normalize())) {
                return Optional.of("command directory " + dir + " has a symbolic link in its path (it resolves to "
                        + real + ")");
            }
            PosixFileAttributes a = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            Set<PosixFilePermission> privateMode = EnumSet.of(PosixFilePermission.OWNER_READ,
                    PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);
            if (!a.permissions().equals(privateMode)) {
                return Optional.of("command directory " + dir + " has mode " + PosixFilePermissions.toString(a.permissions())
                        + "; expected rwx------ (0700) exactly, nothing for group or others");
            }
            Optional<String> me = ProcessHandle.current().info().user();
            if (me.isPresent() && !me.get().equals(a.owner().getName())) {
                return Optional.of("command directory " + dir + " belongs to " + a.owner().getName() + ", not to "
                        + me.get());
            }
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.of("command directory " + dir + " cannot be checked: " + e);
        }
    }
}
