package dev.atlas.ulp.protocol;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;

/**
 * One message between {@code atlas run} and the host: a type byte, a 4-byte big-endian
 * payload length, the payload. The native client ({@code src/main/c/atlas_run.c}) speaks the
 * same format.
 *
 * {@snippet class=dev.atlas.ulp.snippets.UlpSnippets region=frame}
 *
 * @param type    the kind of frame
 * @param payload its bytes
 */
public record Frame(FrameType type, byte[] payload) {
    /** The largest payload accepted (16 MiB): a longer length is a broken or hostile peer. */
    public static final int MAX_PAYLOAD = 16 << 20;

    public Frame {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(payload, "payload");
    }

    /**
     * Reads one frame; null if the stream ends before its first byte.
     *
     * @throws ProtocolException unknown type, length out of range, or the stream ends inside the frame
     */
    public static Frame read(InputStream in) throws IOException {
        int type = in.read();
        if (type < 0) {
            return null;
        }
        DataInputStream data = new DataInputStream(in);
        try {
            FrameType t = FrameType.of(type);
            int len = data.readInt();
            if (len < 0 || len > MAX_PAYLOAD) {
                throw new ProtocolException("frame length " + Integer.toUnsignedString(len) + " out of range 0.." + MAX_PAYLOAD);
            }
            byte[] payload = new byte[len];
            data.readFully(payload);
            return new Frame(t, payload);
        } catch (EOFException e) {
            throw new ProtocolException("stream ended inside a frame of type " + type);
        }
    }

    /**
     * Writes one frame (not flushed): in one {@code write} of header and payload when the
     * payload is at most 64 KiB (one system call on an unbuffered socket stream, one wake-up
     * of the reader), else the header, then the payload.
     */
    public static void write(OutputStream out, FrameType type, byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len > MAX_PAYLOAD) {
            throw new IllegalArgumentException("payload of " + len + " bytes exceeds " + MAX_PAYLOAD);
        }
        if (len <= ONE_WRITE_MAX) {
            byte[] frame = new byte[HEADER + len];
            header(frame, type, len);
            System.arraycopy(b, off, frame, HEADER, len);
            out.write(frame);
            return;
        }
        byte[] header = new byte[HEADER];
        header(header, type, len);
        out.write(header);
        out.write(b, off, len);
    }

    /** The largest payload {@link #write} copies to send with its header in one write. */
    static final int ONE_WRITE_MAX = 64 << 10;
    private static final int HEADER = 5;

    private static void header(byte[] into, FrameType type, int len) {
        into[0] = (byte) type.code();
        into[1] = (byte) (len >>> 24);
        into[2] = (byte) (len >>> 16);
        into[3] = (byte) (len >>> 8);
        into[4] = (byte) len;
    }

    /** The status of an {@link FrameType#EXIT} frame. */
    public int exitStatus() throws ProtocolException {
        if (type != FrameType.EXIT || payload.length != 4) {
            throw new ProtocolException("expected an EXIT frame of 4 bytes, got " + type + " of " + payload.length);
        }
        return ((payload[0] & 0xff) << 24) | ((payload[1] & 0xff) << 16) | ((payload[2] & 0xff) << 8) | (payload[3] & 0xff);
    }

    /** The payload of an EXIT frame for {@code status}. */
    public static byte[] exitPayload(int status) {
        return new byte[] {(byte) (status >>> 24), (byte) (status >>> 16), (byte) (status >>> 8), (byte) status};
    }
}
