package dev.atlas.cli.patch;

import dev.atlas.patch.agent.command.CommandChannel;
import dev.atlas.patch.agent.command.CommandReply;

import java.util.Locale;

/**
 * Where a command to a running JVM spent its wall time ({@code --timings}), from this
 * process's start to the agent's first reply, as one line of {@code name=ms} pairs:
 *
 * {@snippet lang=text :
 *   script=95 cli-start=812 check=9 attach=305 agent-load=420 command=931 reply=4 total=2576 cpu=690 install: select=14.2;retransform=402.7;pipeline=25.3;executors=61.0
 * }
 *
 * <ul>
 *   <li>{@code script}: from this process's start (as the OS reports it, 10 ms ticks on Linux) to the
 *       {@code atlas} launcher's {@code exec} of this JVM ({@code ATLAS_EXEC_AT}; absent when not
 *       started by the launcher, or by a bash older than 5);</li>
 *   <li>{@code cli-start}: from then (or this process's start) to the command's start: the JVM's
 *       start, class loading, option parsing;</li>
 *   <li>{@code check}: the checks of the target process and the agent jar;</li>
 *   <li>{@code attach}: the Attach API handshake ({@code VirtualMachine.attach});</li>
 *   <li>{@code agent-load}: from {@code loadAgent} to the agent's first line of the command in the
 *       target (reading and defining the agent's jar and classes there);</li>
 *   <li>{@code command}: the command in the target, up to {@code loadAgent}'s return; for an
 *       attach (or an apply that installed the agent) the agent's own phases follow after
 *       {@code install:} (see {@code InstallPhases});</li>
 *   <li>{@code reply}: detaching and reading the reply;</li>
 *   <li>{@code total}: the sum, from this process's start; {@code cpu}: the CPU time this process
 *       (the launcher script included) used up to then. On a machine shared with other work the
 *       wall times are mostly waits for a CPU; the CPU time is what the command itself costs.</li>
 * </ul>
 * The split between {@code agent-load} and {@code command} compares this process's clock with the
 * target's ({@link System#currentTimeMillis()}, the same machine's clock); it is -1 if the agent did
 * not say when it began. An apply's wait for the end of its migration is not included.
 *
 * <p>Threading: confined to the command's thread.
 */
final class CommandTimings {
    private final long processStart;   // epoch ms, or -1 if the OS does not say
    private final long commandStart = System.currentTimeMillis();
    private long checked;
    private long attached;
    private long loadReturned;
    private long replied;

    private final long execAt;         // epoch ms when the atlas launcher started this JVM, or -1

    CommandTimings() {
        processStart = ProcessHandle.current().info().startInstant().map(i -> i.toEpochMilli()).orElse(-1L);
        execAt = execAt(System.getenv("ATLAS_EXEC_AT"));
    }

    /** The launcher's {@code ATLAS_EXEC_AT} (bash's {@code $EPOCHREALTIME}: seconds, a fraction) in ms, or -1. */
    static long execAt(String s) {
        if (s == null || s.isBlank()) {
            return -1;
        }
        try {
            return Math.round(Double.parseDouble(s.trim().replace(',', '.')) * 1000);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    void checked() {
        checked = System.currentTimeMillis();
    }

    void attached() {
        attached = System.currentTimeMillis();
    }

    void loadReturned() {
        loadReturned = System.currentTimeMillis();
    }

    void replied() {
        replied = System.currentTimeMillis();
    }

    /** The line for stderr, the agent's side taken from {@code reply}. */
    String render(CommandReply reply) {
        long entered = -1;
        String e = reply.field(CommandChannel.ENTERED_FIELD);
        if (e != null) {
            try {
                entered = Long.parseLong(e);
            } catch (NumberFormatException ignored) {
                // an agent that wrote something else: the split stays unknown
            }
        }
        boolean split = entered >= attached && entered <= loadReturned;
        String install = reply.field("install-phases");
        boolean launched = processStart >= 0 && execAt >= processStart && execAt <= commandStart;
        String start = launched ? "script=" + (execAt - processStart) + " cli-start=" + (commandStart - execAt)
                : "cli-start=" + (processStart < 0 ? -1 : commandStart - processStart);
        long cpu = ProcessHandle.current().info().totalCpuDuration().map(d -> d.toMillis()).orElse(-1L);
        return String.format(Locale.ROOT, "%s check=%d attach=%d agent-load=%d command=%d reply=%d total=%d cpu=%d%s",
                start, checked - commandStart, attached - checked,
                split ? entered - attached : -1, split ? loadReturned - entered : -1, replied - loadReturned,
                processStart < 0 ? replied - commandStart : replied - processStart, cpu,
                install == null ? "" : " install: " + install);
    }
}
