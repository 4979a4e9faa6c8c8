package dev.atlas.it.servers;

import java.util.List;

/**
 * Reactor Netty 1.2 HTTP server: the route's handler computes its body on the event loop when
 * Reactor Netty subscribes to it, inside the {@code channelRead} that delivered the request
 * (Netty's default boundary). Per-request consistency on an event loop holds for the part of a
 * request that runs inside that one invocation; work a handler schedules elsewhere (another
 * scheduler, a delayed signal) runs in that thread's view at that later time.
 */
class ReactorNettyIT extends ServerPatchingIT {
    @Override
    ServerCase server() {
        return new ServerCase("Reactor Netty 1.2 / HTTP", "it.reactor", "it.reactor.ReactorNettyApp", List.of("/tag"), "");
    }
}
