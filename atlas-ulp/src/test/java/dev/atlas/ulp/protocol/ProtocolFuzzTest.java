package dev.atlas.ulp.protocol;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The host's parsers of client input (frames and requests) on seeded random and mutated
 * inputs: every input either parses or fails with a {@link ProtocolException}; nothing else
 * escapes, nothing allocates more than the input holds. Seeds are fixed, so a failure
 * reproduces; {@code -Datlas.ulp.fuzzIterations=N} for a longer run.
 */
class ProtocolFuzzTest {
    private static final int ITERATIONS = Integer.getInteger("atlas.ulp.fuzzIterations", 20_000);

    @Test
    void requestsRoundTrip() throws Exception {
        SplittableRandom rnd = new SplittableRandom(21);
        for (int i = 0; i < 500; i++) {
            Request r = randomRequest(rnd);
            assertEquals(r, Request.decode(r.encode()));
        }
    }

    @Test
    void mutatedRequestsParseOrFailWithAProtocolException() {
        SplittableRandom rnd = new SplittableRandom(4242);
        for (int i = 0; i < ITERATIONS; i++) {
            byte[] b = mutate(randomRequest(rnd).encode(), rnd);
            try {
                Request.decode(b);
            } catch (ProtocolException expected) {
                // rejected with a message
            }
        }
    }

    @Test
    void randomFramesParseOrFailWithAProtocolException() throws IOException {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int i = 0; i < ITERATIONS; i++) {
            byte[] b = new byte[rnd.nextInt(0, 24)];
            rnd.nextBytes(b);
            if (b.length > 0 && rnd.nextBoolean()) {
                b[0] = (byte) rnd.nextInt(1, 6);
            }
            try {
                Frame.read(new ByteArrayInputStream(b));
            } catch (ProtocolException expected) {
                // rejected with a message
            }
        }
    }

    @Test
    void framesRoundTripAndHostileLengthsAreRefused() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] payload = {1, 2, 3};
        Frame.write(out, FrameType.STDOUT, payload, 0, 3);
        Frame f = Frame.read(new ByteArrayInputStream(out.toByteArray()));
        assertEquals(FrameType.STDOUT, f.type());
        assertArrayEquals(payload, f.payload());
        ProtocolException huge = assertThrows(ProtocolException.class,
                () -> Frame.read(new ByteArrayInputStream(new byte[] {3, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff})));
        assertEquals("frame length 4294967295 out of range 0..16777216", huge.getMessage());
        ProtocolException count = assertThrows(ProtocolException.class,
                () -> Request.decode(new byte[] {0x7f, 0, 0, 0, 0, 0, 0, 0}));
        assertEquals("argument count 2130706432 exceeds what the 4 bytes left can hold", count.getMessage());
        assertThrows(ProtocolException.class, () -> Request.decode(new Request(List.of("run"), Map.of(), "rel/dir").encode()));
    }

    @Test
    void aFrameUpTo64KiBIsOneWriteAndLargerOnesTwo() throws IOException {
        for (int len : new int[] {0, 12, 64 << 10, (64 << 10) + 1, 1 << 20}) {
            byte[] payload = new byte[len];
            new SplittableRandom(len).nextBytes(payload);
            List<Integer> writes = new ArrayList<>();
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            java.io.OutputStream counting = new java.io.OutputStream() {
                @Override
                public void write(int b) {
                    writes.add(1);
                    bytes.write(b);
                }

                @Override
                public void write(byte[] b, int off, int n) {
                    writes.add(n);
                    bytes.write(b, off, n);
                }
            };
            Frame.write(counting, FrameType.STDERR, payload, 0, len);
            assertEquals(len <= 64 << 10 ? List.of(5 + len) : List.of(5, len), writes, "write calls for a payload of " + len);
            Frame f = Frame.read(new ByteArrayInputStream(bytes.toByteArray()));
            assertEquals(FrameType.STDERR, f.type());
            assertArrayEquals(payload, f.payload());
        }
    }

    @Test
    void invalidUtf8IsRefusedNamingTheString() {
        byte[] ok = new Request(List.of("run", "é.jar"), Map.of("A", "b", "C", "d"), "/tmp").encode();
        assertEquals(List.of("run", "é.jar"), assertDoesNotThrow(() -> Request.decode(ok)).args());
        byte[] bad = new Request(List.of("run"), new LinkedHashMap<>(Map.of("A", "x")), "/tmp").encode();
        // argc(4) "run"(4+3) envc(4) len(4) then "A=x": make the 'x' an invalid UTF-8 byte
        int x = 4 + 4 + 3 + 4 + 4 + 2;
        assertEquals('x', bad[x]);
        bad[x] = (byte) 0xff;
        ProtocolException e = assertThrows(ProtocolException.class, () -> Request.decode(bad));
        assertEquals("the environment entry 0 is not valid UTF-8", e.getMessage());
    }

    private static Request randomRequest(SplittableRandom rnd) {
        List<String> args = new ArrayList<>();
        for (int i = rnd.nextInt(0, 5); i > 0; i--) {
            args.add(randomString(rnd));
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (int i = rnd.nextInt(0, 4); i > 0; i--) {
            env.put("K" + rnd.nextInt(1000), randomString(rnd));
        }
        return new Request(args, env, "/" + randomString(rnd));
    }

    private static String randomString(SplittableRandom rnd) {
        StringBuilder sb = new StringBuilder();
        for (int i = rnd.nextInt(0, 8); i > 0; i--) {
            sb.append((char) (rnd.nextBoolean() ? rnd.nextInt('a', 'z' + 1) : rnd.nextInt(0x20, 0x3000)));
        }
        return sb.toString().replace("\ud800", "x");
    }

    private static byte[] mutate(byte[] b, SplittableRandom rnd) {
        byte[] m = b.clone();
        switch (rnd.nextInt(4)) {
            case 0 -> m[rnd.nextInt(m.length)] = (byte) rnd.nextInt(256);
            case 1 -> m = java.util.Arrays.copyOf(m, rnd.nextInt(m.length));
            case 2 -> m = java.util.Arrays.copyOf(m, m.length + rnd.nextInt(1, 8));
            default -> {
                int at = rnd.nextInt(Math.max(1, m.length - 3));
                m[at] = (byte) 0xff;
                m[Math.min(at + 1, m.length - 1)] = (byte) rnd.nextInt(256);
            }
        }
        return m;
    }
}
