package dev.atlas.ulp.protocol;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The first frame of a connection: the client's command line ({@code run ...},
 * {@code host status}, {@code kill 7}), environment and working directory.
 *
 * <p>Payload: {@code u32 argc, argc × (u32 len, UTF-8 bytes), u32 envc, envc × (u32 len,
 * "NAME=value"), u32 len, cwd}. Every count and length is checked against the bytes left
 * before anything is allocated, so a hostile length cannot make the host allocate more than
 * the frame holds.
 *
 * @param args the command line (after {@code atlas})
 * @param env  the client's environment
 * @param cwd  the client's working directory
 */
public record Request(List<String> args, Map<String, String> env, String cwd) {
    public Request {
        args = List.copyOf(args);
        env = Map.copyOf(env);
        Objects.requireNonNull(cwd, "cwd");
    }

    /** The payload of this request. */
    public byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(args.size());
            for (String a : args) {
                writeString(out, a);
            }
            out.writeInt(env.size());
            for (Map.Entry<String, String> e : env.entrySet()) {
                writeString(out, e.getKey() + "=" + e.getValue());
            }
            writeString(out, cwd);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    /**
     * Parses a request payload.
     *
     * @throws ProtocolException a count or length beyond the payload, bytes left over,
     *                           invalid UTF-8, an environment entry without '=', or a relative cwd
     */
    public static Request decode(byte[] payload) throws ProtocolException {
        ByteBuffer in = ByteBuffer.wrap(payload);
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        int argc = count(in, "argument");
        List<String> args = new ArrayList<>(argc);
        for (int i = 0; i < argc; i++) {
            args.add(string(in, utf8, "argument ", i));
        }
        int envc = count(in, "environment entry");
        Map<String, String> env = new LinkedHashMap<>();
        for (int i = 0; i < envc; i++) {
            String kv = string(in, utf8, "environment entry ", i);
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new ProtocolException("environment entry " + i + " '" + kv + "' is not NAME=value");
            }
            env.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        String cwd = string(in, utf8, "working directory", -1);
        if (!cwd.startsWith("/")) {
            throw new ProtocolException("working directory '" + cwd + "' is not an absolute path");
        }
        if (in.hasRemaining()) {
            throw new ProtocolException(in.remaining() + " bytes after the working directory, expected none");
        }
        return new Request(args, env, cwd);
    }

    /** A count: each item needs at least its 4-byte length, so it cannot exceed the bytes left / 4. */
    private static int count(ByteBuffer in, String what) throws ProtocolException {
        if (in.remaining() < 4) {
            throw new ProtocolException("request ends before the " + what + " count");
        }
        int n = in.getInt();
        if (n < 0 || n > in.remaining() / 4) {
            throw new ProtocolException(what + " count " + Integer.toUnsignedString(n) + " exceeds what the "
                    + in.remaining() + " bytes left can hold");
        }
        return n;
    }

    /**
     * The next string; {@code what} (followed by {@code index} unless it is negative) names it
     * in an error, so no message is built for a string that is fine. ASCII, the usual case,
     * needs no decoder.
     */
    private static String string(ByteBuffer in, CharsetDecoder utf8, String what, int index) throws ProtocolException {
        if (in.remaining() < 4) {
            throw new ProtocolException("request ends before the length of the " + name(what, index));
        }
        int len = in.getInt();
        if (len < 0 || len > in.remaining()) {
            throw new ProtocolException("length " + Integer.toUnsignedString(len) + " of the " + name(what, index)
                    + " exceeds the " + in.remaining() + " bytes left");
        }
        int start = in.position();
        in.position(start + len);
        byte[] bytes = in.array();
        int at = in.arrayOffset() + start;
        boolean ascii = true;
        for (int i = at; i < at + len; i++) {
            if (bytes[i] < 0) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            return new String(bytes, at, len, StandardCharsets.ISO_8859_1);
        }
        try {
            CharBuffer chars = utf8.reset().decode(ByteBuffer.wrap(bytes, at, len));
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new ProtocolException("the " + name(what, index) + " is not valid UTF-8");
        }
    }

    private static String name(String what, int index) {
        return index < 0 ? what : what + index;
    }
}
