package dev.atlas.ulp;

import dev.atlas.ulp.client.HostStarter;
import dev.atlas.ulp.client.JavaClient;
import dev.atlas.ulp.daemon.HostPaths;
import dev.atlas.ulp.daemon.HostServer;

import java.nio.file.Path;
import java.util.List;

/**
 * Entry point of the atlas-ulp jar: {@code host serve} runs the host daemon; anything else
 * ({@code run ...}, {@code host status}, {@code host stop}, {@code kill ID}) is sent to the
 * user's host by the Java client, which starts a host when {@code run} finds none. The host's
 * class file cache holds {@code -Datlas.ulp.classCacheMiB} MiB (default 128; 0 turns it off).
 */
public final class UlpMain {
    private UlpMain() {
    }

    public static void main(String[] args) throws Exception {
        List<String> a = List.of(args);
        HostPaths paths = HostPaths.forUser(System.getenv());
        if (a.equals(List.of("host", "serve"))) {
            long cacheMiB = Long.getLong("atlas.ulp.classCacheMiB", ProgramHost.DEFAULT_CLASS_CACHE_BYTES >> 20);
            try (ProgramHost host = ProgramHost.create(cacheMiB << 20); HostServer server = HostServer.start(host, paths)) {
                System.out.println("atlas host " + ProcessHandle.current().pid() + " listening on " + paths.socket());
                server.awaitStop();
            }
            System.exit(0);
            return;
        }
        int status = new JavaClient(paths, HostStarter.ofThisJvm())
                .call(a, System.getenv(), Path.of("").toAbsolutePath().toString(), System.in, System.out, System.err);
        System.exit(status);
    }
}
