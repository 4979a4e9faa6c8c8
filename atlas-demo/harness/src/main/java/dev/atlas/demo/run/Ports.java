package dev.atlas.demo.run;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Free TCP ports on the loopback interface, asked of the kernel (bind to port 0). */
public final class Ports {
    /** A port that was free a moment ago (another process may still take it before it is used). */
    public int free() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }
}
