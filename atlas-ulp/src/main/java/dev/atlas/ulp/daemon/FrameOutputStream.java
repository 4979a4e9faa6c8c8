package dev.atlas.ulp.daemon;

import dev.atlas.ulp.protocol.Frame;
import dev.atlas.ulp.protocol.FrameType;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A program's stdout or stderr on its client connection: every write is one frame of
 * {@code type}, written under the connection's lock so frames of out and err never
 * interleave. A client that went away makes writes fail quietly (the program is killed by
 * the connection reader).
 *
 * <p>Thread safety: any thread; serialised on {@code lock}.
 */
final class FrameOutputStream extends OutputStream {
    private final OutputStream socket;
    private final Object lock;
    private final FrameType type;

    FrameOutputStream(OutputStream socket, Object lock, FrameType type) {
        this.socket = socket;
        this.lock = lock;
        this.type = type;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return;
        }
        synchronized (lock) {
            Frame.write(socket, type, b, off, len);
            socket.flush();
        }
    }
}
