package dev.atlas.ulp.daemon;

import dev.atlas.ulp.LaunchException;
import dev.atlas.ulp.ProgramHost;
import dev.atlas.ulp.ProgramIo;
import dev.atlas.ulp.ProgramSpec;
import dev.atlas.ulp.ProgramStatus;
import dev.atlas.ulp.RunningProgram;
import dev.atlas.ulp.protocol.Frame;
import dev.atlas.ulp.protocol.FrameType;
import dev.atlas.ulp.protocol.ProtocolException;
import dev.atlas.ulp.protocol.Request;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.List;
import java.util.Optional;

/**
 * One client connection: checks the peer's user, reads its {@link Request} and serves it:
 * {@code run ...} (streams the program's stdin, stdout and stderr, then its exit status),
 * {@code host status}, {@code host stop}, {@code kill ID}. A client that goes away while its
 * program runs kills the program (as a terminal's hang-up would).
 *
 * <p>Thread safety: one session per connection, on its own virtual thread; frames to the
 * client are written under {@code writeLock} (the program's threads write stdout and stderr).
 */
final class HostSession implements Runnable {
    private static final int STDIN_BUFFER = 64 * 1024;

    private final SocketChannel channel;
    private final ProgramHost host;
    private final UserPrincipal owner;
    private final Runnable stopHost;
    private final Object writeLock = new Object();
    private OutputStream out;

    HostSession(SocketChannel channel, ProgramHost host, UserPrincipal owner, Runnable stopHost) {
        this.channel = channel;
        this.host = host;
        this.owner = owner;
        this.stopHost = stopHost;
    }

    @Override
    public void run() {
        try (SocketChannel ch = channel) {
            out = ChannelStreams.out(ch);
            serveConnection(ch);
        } catch (IOException | InterruptedException e) {
            // the client went away: nothing to tell it
        }
    }

    private void serveConnection(SocketChannel ch) throws IOException, InterruptedException {
        try {
            UnixDomainPrincipal peer = ch.getOption(ExtendedSocketOptions.SO_PEERCRED);
            if (!peer.user().equals(owner)) {
                reply(1, "atlas host: refused: connection from user '" + peer.user().getName()
                        + "', this host serves only '" + owner.getName() + "'\n");
                return;
            }
            InputStream in = new BufferedInputStream(ChannelStreams.in(ch));
            Frame first = Frame.read(in);
            if (first == null) {
                return;
            }
            if (first.type() != FrameType.REQUEST) {
                throw new ProtocolException("expected a REQUEST frame first, got " + first.type());
            }
            serve(Request.decode(first.payload()), in);
        } catch (ProtocolException e) {
            reply(2, "atlas host: protocol error: " + e.getMessage() + "\n");
        }
    }

    private void serve(Request r, InputStream in) throws IOException, InterruptedException {
        List<String> a = r.args();
        String cmd = a.isEmpty() ? "" : a.getFirst();
        switch (cmd) {
            case "run" -> run(r, a.subList(1, a.size()), in);
            case "host" -> hostCommand(a.size() > 1 ? a.get(1) : "");
            case "kill" -> kill(a);
            case "ping" -> exit(0);
            default -> reply(2, "atlas host: unknown command '" + cmd + "'; expected run, host status, host stop or kill ID\n");
        }
    }

    private void run(Request r, List<String> args, InputStream in) throws IOException, InterruptedException {
        ProgramSpec spec;
        try {
            spec = RunCommand.parse(args, Path.of(r.cwd()), r.env());
        } catch (IllegalArgumentException e) {
            reply(2, "atlas run: " + e.getMessage() + "\n" + RunCommand.USAGE + "\n");
            return;
        }
        StdinPipe stdin = new StdinPipe(STDIN_BUFFER);
        ProgramIo io = new ProgramIo(stdin, new FrameOutputStream(out, writeLock, FrameType.STDOUT),
                new FrameOutputStream(out, writeLock, FrameType.STDERR));
        RunningProgram p;
        try {
            p = host.launch(spec, io);
        } catch (LaunchException e) {
            reply(e.exitCode(), e.getMessage() + "\n");
            return;
        }
        p.exitCode().whenComplete((status, failure) -> {
            try {
                exit(status == null ? 1 : status);
                channel.shutdownInput();
            } catch (IOException gone) {
                // the client went away
            }
        });
        pumpStdin(in, stdin, p);
        p.awaitExit();
    }

    private static void pumpStdin(InputStream in, StdinPipe stdin, RunningProgram p) throws InterruptedException {
        try {
            Frame f;
            while ((f = Frame.read(in)) != null) {
                if (f.type() != FrameType.STDIN) {
                    throw new ProtocolException("expected STDIN frames after the request, got " + f.type());
                }
                if (f.payload().length == 0) {
                    stdin.end();
                } else {
                    stdin.feed(f.payload());
                }
            }
        } catch (IOException e) {
            // fall through: the client's side of the connection is gone
        }
        stdin.end();
        if (!p.ended()) {
            p.kill();   // the client went away (or sent garbage): a hang-up
        }
    }

    private void hostCommand(String sub) throws IOException {
        switch (sub) {
            case "status" -> reply(0, status());
            case "stop" -> {
                reply(0, "atlas host: stopping (" + host.programs().size() + " program(s) killed)\n");
                host.close();
                stopHost.run();
            }
            default -> reply(2, "atlas host: unknown subcommand '" + sub + "'; expected status or stop\n");
        }
    }

    private String status() {
        Runtime rt = Runtime.getRuntime();
        StringBuilder sb = new StringBuilder();
        sb.append("host pid ").append(ProcessHandle.current().pid()).append(", heap used ")
                .append((rt.totalMemory() - rt.freeMemory()) >> 20).append(" MiB of ").append(rt.totalMemory() >> 20)
                .append(" MiB, programs started ").append(host.counts().get("started"))
                .append(", class file cache ").append(host.classFiles().size() >> 10).append(" KiB (")
                .append(host.classFiles().hits()).append(" hits, ").append(host.classFiles().misses()).append(" misses), ")
                .append(aotCache()).append('\n');
        AppliedPatches patches = AppliedPatches.inThisJvm();
        if (!patches.ofEveryLoader().isEmpty()) {
            sb.append("live patches of every program: ").append(patches.ofEveryLoader()).append('\n');
        }
        sb.append(String.format("%6s %-8s %7s %8s %10s %7s %9s %-16s  %s%n", "ID", "THREAD", "THREADS", "CPU(ms)",
                "ALLOC(KiB)", "CLASSES", "UP(ms)", "PATCHES", "COMMAND"));
        for (RunningProgram p : host.programs()) {
            ProgramStatus s = p.status();
            sb.append(String.format("%6d %-8s %7d %8d %10d %7d %9d %-16s  %s%n", s.id(), s.threadMode().name().toLowerCase(),
                    s.threads(), s.cpuMillis(), s.allocatedBytes() >> 10, s.classes(), s.uptimeMillis(),
                    patches.ofProgram(s.id()), s.commandLine()));
        }
        return sb.toString();
    }

    /** The AOT cache the host JVM was started with ({@code -XX:AOTCache}), as its arguments say. */
    private static String aotCache() {
        for (String arg : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("-XX:AOTCache=")) {
                return "started with AOT cache " + arg.substring("-XX:AOTCache=".length());
            }
        }
        return "no AOT cache";
    }

    private void kill(List<String> a) throws IOException {
        if (a.size() != 2) {
            reply(2, "atlas kill: expected one program id, got " + (a.size() - 1) + " arguments\n");
            return;
        }
        long id;
        try {
            id = Long.parseLong(a.get(1));
        } catch (NumberFormatException e) {
            reply(2, "atlas kill: '" + a.get(1) + "' is not a program id (a number from atlas host status)\n");
            return;
        }
        Optional<RunningProgram> p = host.find(id);
        if (p.isEmpty()) {
            reply(1, "atlas kill: no running program with id " + id + "\n");
            return;
        }
        p.get().kill();
        reply(0, "");
    }

    private void reply(int status, String text) {
        try {
            text(status == 0 ? FrameType.STDOUT : FrameType.STDERR, text);
            exit(status);
        } catch (IOException gone) {
            // the client went away
        }
    }

    private void text(FrameType type, String s) throws IOException {
        if (s.isEmpty()) {
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        synchronized (writeLock) {
            Frame.write(out, type, b, 0, b.length);
        }
    }

    private void exit(int status) throws IOException {
        byte[] b = Frame.exitPayload(status);
        synchronized (writeLock) {
            Frame.write(out, FrameType.EXIT, b, 0, b.length);
        }
    }
}
