package dev.atlas.demo.trigger.snippets;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The code of the {@code {@snippet}} examples in the patch trigger's javadoc, by region:
 * compiled with the tests, so an example that no longer compiles fails the build.
 */
final class PatchTriggerSnippets {
    private PatchTriggerSnippets() {
    }

    static String apply() throws IOException {
        // @start region=client
        // java -javaagent:atlas-agent.jar=include=com.acme.** -javaagent:atlas-demo-patch-trigger.jar=port=7002 -cp app.jar Main
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), 7002);
             PrintWriter out = new PrintWriter(new OutputStreamWriter(s.getOutputStream(), StandardCharsets.UTF_8), true);
             BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))) {
            out.println("apply /tmp/fix.atlaspatch");
            return in.readLine();   // "ok start_nanos=... migrated_nanos=..." or "refused <reason>"
        }
        // @end
    }
}
