package dev.atlas.demo.run;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The one-line protocol of the demo's agents (HotSwap, patch trigger): connect to
 * {@code 127.0.0.1:<port>}, send one line, read one line back.
 */
final class ControlLine {
    private ControlLine() {
    }

    static String send(int port, String command, Duration timeout) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
            socket.setSoTimeout(Math.toIntExact(timeout.toMillis()));
            PrintWriter out = new PrintWriter(socket.getOutputStream(), true, StandardCharsets.UTF_8);
            out.println(command);
            String line = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8)).readLine();
            if (line == null) {
                throw new IOException("the agent on port " + port + " closed the connection without an answer");
            }
            return line;
        }
    }

    /** The {@code key=value} fields of an answer such as {@code ok a=1 b=x,y}. */
    static Map<String, String> fields(String answer) {
        Map<String, String> fields = new HashMap<>();
        for (String f : answer.split(" ")) {
            int eq = f.indexOf('=');
            if (eq > 0) {
                fields.put(f.substring(0, eq), f.substring(eq + 1));
            }
        }
        return fields;
    }
}
