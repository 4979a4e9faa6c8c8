package dev.atlas.demo.trigger;

import dev.atlas.core.MigrationReport;
import dev.atlas.patch.agent.install.AgentInstaller;
import dev.atlas.patch.agent.install.Installation;
import dev.atlas.patch.runtime.PatchApplication;

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
import java.time.Duration;

/**
 * {@code -javaagent:atlas-agent.jar=include=... -javaagent:atlas-demo-patch-trigger.jar=port=<port>}:
 * listens on {@code 127.0.0.1:<port>} on a daemon thread, one command per connection, one
 * line each way:
 * <pre>
 *   apply &lt;patch file&gt;  → ok start_nanos=&lt;apply() returned&gt; migrated_nanos=&lt;every thread moved&gt;
 *                               prepare_nanos=.. threads=.. max_delay_nanos=.. replaced=.. added=.. fields=.. classes=..
 *                        | refused &lt;reason&gt;
 * </pre>
 * Times count from the command's arrival. The migration is awaited for up to 60 s.
 *
 * {@snippet class=dev.atlas.demo.trigger.snippets.PatchTriggerSnippets region=client}
 */
public final class PatchTriggerAgent {
    private PatchTriggerAgent() {
    }

    public static void premain(String args, Instrumentation instrumentation) throws IOException {
        String a = args == null ? "" : args.trim();
        int port;
        try {
            port = Integer.parseInt(a.substring(a.startsWith("port=") ? "port=".length() : a.length()));
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("agent arguments are '" + a + "', expected port=<port>", e);
        }
        ServerSocket server = new ServerSocket(port, 8, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> serve(server), "atlas-demo-patch-trigger");
        t.setDaemon(true);
        t.start();
    }

    private static void serve(ServerSocket server) {
        while (true) {
            try (Socket socket = server.accept();
                 BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
                 PrintWriter out = new PrintWriter(socket.getOutputStream(), true, StandardCharsets.UTF_8)) {
                out.println(answer(in.readLine()));
            } catch (IOException | RuntimeException e) {
                System.err.println("atlas-demo-patch-trigger: " + e);
            }
        }
    }

    static String answer(String command) {
        if (command == null || !command.startsWith("apply ")) {
            return "error expected 'apply <patch file>', got '" + command + "'";
        }
        long t0 = System.nanoTime();
        try {
            Installation in = AgentInstaller.installed();
            if (in == null) {
                return "refused the Atlas agent is not installed (load atlas-agent.jar first)";
            }
            PatchApplication a = in.pipeline().apply(Path.of(command.substring("apply ".length())), null).application();
            long started = System.nanoTime() - t0;
            MigrationReport report = a.migration().await(Duration.ofSeconds(60));
            long migrated = System.nanoTime() - t0;
            return "ok start_nanos=" + started + " migrated_nanos=" + migrated + " prepare_nanos=" + a.prepareNanos()
                    + " threads=" + report.threads().size() + " max_delay_nanos=" + report.maxDelay().toNanos()
                    + " replaced=" + a.replacedMethods() + " added=" + a.addedMethods() + " fields=" + a.shadowFields()
                    + " classes=" + a.addedClasses();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "refused interrupted";
        } catch (Exception e) {
            return "refused " + (e.getClass().getSimpleName() + ": " + e.getMessage()).replaceAll("\\s+", " ");
        }
    }
}
