package dev.atlas.demo.hotswap;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.instrument.Instrumentation;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The agent: {@code -javaagent:atlas-demo-hotswap-agent.jar=port=<port>} (or loaded late with
 * the attach API; same arguments). It listens on {@code 127.0.0.1:<port>} on a daemon thread
 * and answers one command per connection, one line each way:
 * <pre>
 *   ping                         → pong
 *   redefine &lt;old build&gt;\t&lt;new build&gt;  → ok nanos=&lt;time in redefineClasses&gt; classes=&lt;a,b,..&gt;
 *                                  | refused &lt;reason&gt;
 * </pre>
 * A build is a jar or a classes directory; the agent redefines the classes whose bytes
 * differ ({@link BuildDiff}), all in one {@link Instrumentation#redefineClasses} call.
 *
 * {@snippet class=dev.atlas.demo.hotswap.snippets.HotSwapSnippets region=client}
 */
public final class HotSwapAgent {
    private HotSwapAgent() {
    }

    public static void premain(String args, Instrumentation instrumentation) throws IOException {
        start(args, instrumentation);
    }

    public static void agentmain(String args, Instrumentation instrumentation) throws IOException {
        start(args, instrumentation);
    }

    private static void start(String args, Instrumentation instrumentation) throws IOException {
        int port = port(args);
        if (!instrumentation.isRedefineClassesSupported()) {
            throw new IllegalStateException("this JVM does not support redefineClasses");
        }
        ServerSocket server = new ServerSocket(port, 8, InetAddress.getLoopbackAddress());
        Redefiner redefiner = new Redefiner(instrumentation, ClassLoader.getSystemClassLoader());
        Thread control = new Thread(() -> serve(server, redefiner), "hotswap-agent-control");
        control.setDaemon(true);
        control.start();
    }

    static int port(String args) {
        String a = args == null ? "" : args.trim();
        if (!a.startsWith("port=")) {
            throw new IllegalArgumentException("agent arguments are '" + a + "', expected port=<port>");
        }
        try {
            int port = Integer.parseInt(a.substring("port=".length()));
            if (port < 1 || port > 65_535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("agent arguments are '" + a + "', expected port=<1..65535>", e);
        }
    }

    private static void serve(ServerSocket server, Redefiner redefiner) {
        while (true) {
            try (Socket socket = server.accept();
                 BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
                 PrintWriter out = new PrintWriter(socket.getOutputStream(), true, StandardCharsets.UTF_8)) {
                out.println(answer(in.readLine(), redefiner));
            } catch (IOException | RuntimeException e) {
                System.err.println("hotswap-agent: " + e);
            }
        }
    }

    static String answer(String command, Redefiner redefiner) {
        if (command == null) {
            return "error empty command";
        }
        if (command.equals("ping")) {
            return "pong";
        }
        if (command.startsWith("redefine ")) {
            String[] builds = command.substring("redefine ".length()).split("\t");
            if (builds.length != 2) {
                return "error expected 'redefine <old build>\\t<new build>', got '" + command + "'";
            }
            try {
                BuildDiff diff = BuildDiff.between(ClassFiles.read(Path.of(builds[0])), ClassFiles.read(Path.of(builds[1])));
                return redefiner.apply(diff).toLine();
            } catch (RuntimeException e) {
                return "error " + String.valueOf(e.getMessage()).replaceAll("\\s+", " ");
            }
        }
        return "error unknown command '" + command + "', expected ping or redefine";
    }
}
