package dev.atlas.ulp.protocol;

/** The kinds of frame between {@code atlas run} and the host (the byte on the wire). */
public enum FrameType {
    /** client to host: the command line, environment and working directory ({@link Request}). */
    REQUEST(1),
    /** client to host: bytes of standard input; an empty one means end of input. */
    STDIN(2),
    /** host to client: bytes of standard output. */
    STDOUT(3),
    /** host to client: bytes of standard error. */
    STDERR(4),
    /** host to client: the exit status (4 bytes, big-endian); the last frame. */
    EXIT(5);

    private final int code;

    FrameType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    static FrameType of(int code) throws ProtocolException {
        for (FrameType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        throw new ProtocolException("unknown frame type " + code + ", expected 1 to 5");
    }
}
