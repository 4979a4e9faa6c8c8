package dev.atlas.it.servers;

import java.util.List;

/** Jetty 12 (EE10): a filter and a servlet two levels below HttpServlet. */
class JettyServletIT extends ServerPatchingIT {
    @Override
    ServerCase server() {
        return new ServerCase("Jetty 12 / servlet", "it.jetty", "it.jetty.JettyApp", List.of("/tag"), "");
    }
}
