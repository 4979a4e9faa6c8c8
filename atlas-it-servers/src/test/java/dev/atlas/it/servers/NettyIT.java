package dev.atlas.it.servers;

import java.util.List;

/** Netty 4 HTTP: codec, aggregator, a handler doing the work on the event loop. */
class NettyIT extends ServerPatchingIT {
    @Override
    ServerCase server() {
        return new ServerCase("Netty 4.1 / HTTP codec", "it.netty", "it.netty.NettyApp", List.of("/tag"), "");
    }
}
