package dev.atlas.demo.hotswap.snippets;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The code of the {@code {@snippet}} examples in the HotSwap agent's javadoc, by region:
 * compiled with the tests, so an example that no longer compiles fails the build.
 */
final class HotSwapSnippets {
    private HotSwapSnippets() {
    }

    static String redefine() throws IOException {
        // @start region=client
        // java -javaagent:atlas-demo-hotswap-agent.jar=port=7001 -cp service-v1.jar dev.atlas.demo.service.DemoService --port 8080
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), 7001);
             PrintWriter out = new PrintWriter(new OutputStreamWriter(s.getOutputStream(), StandardCharsets.UTF_8), true);
             BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))) {
            out.println("redefine service-v1.jar\tservice-v2-hotswap.jar");
            return in.readLine();   // "ok nanos=... classes=..." or "refused <reason>"
        }
        // @end
    }
}
