package dev.atlas.ulp.protocol;

import java.io.IOException;
import java.io.Serial;

/** A frame or request that breaks the host protocol; the message says what was expected. */
public final class ProtocolException extends IOException {
    @Serial
    private static final long serialVersionUID = 1L;

    public ProtocolException(String message) {
        super(message);
    }
}
