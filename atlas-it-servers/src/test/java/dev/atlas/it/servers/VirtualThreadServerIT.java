package dev.atlas.it.servers;

import java.util.List;

/** The JDK's HTTP server with a virtual thread per request. */
class VirtualThreadServerIT extends ServerPatchingIT {
    @Override
    ServerCase server() {
        return new ServerCase("JDK HttpServer / virtual thread per request", "it.vthread", "it.vthread.VirtualThreadApp",
                List.of("/tag"), "");
    }
}
