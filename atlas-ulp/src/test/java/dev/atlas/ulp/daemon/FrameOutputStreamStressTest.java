package dev.atlas.ulp.daemon;

import dev.atlas.ulp.protocol.Frame;
import dev.atlas.ulp.protocol.FrameType;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Stress over a program's stdout and stderr on one connection ({@link FrameOutputStream}s
 * sharing the connection's lock): threads of a program writing to both at once never
 * interleave two frames (a frame is a header write and a payload write). The frames read back
 * are whole, of the right type, and each thread's writes arrive in its order. (Given a lock
 * each instead, the frames mix within the first few hundred.)
 */
class FrameOutputStreamStressTest {
    private static final int THREADS = 6;
    private static final int WRITES = 3_000;

    @Test
    void framesOfOutAndErrNeverInterleave() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        OutputStream socket = new OutputStream() {   // a byte at a time: a wide window for two writers to mix
            @Override
            public void write(int b) {
                bytes.write(b);
            }
        };
        Object lock = new Object();
        FrameOutputStream out = new FrameOutputStream(socket, lock, FrameType.STDOUT);
        FrameOutputStream err = new FrameOutputStream(socket, lock, FrameType.STDERR);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int me = t;
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    for (int i = 0; i < WRITES; i++) {
                        byte[] line = ("t" + me + " " + i + " " + "x".repeat(i % 50) + "\n").getBytes(StandardCharsets.UTF_8);
                        (i % 2 == 0 ? out : err).write(line, 0, line.length);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        ByteArrayInputStream in = new ByteArrayInputStream(bytes.toByteArray());
        Map<Integer, Integer> next = new HashMap<>();
        int frames = 0;
        for (Frame f; (f = Frame.read(in)) != null; frames++) {
            String[] parts = new String(f.payload(), StandardCharsets.UTF_8).split(" ", 3);
            int thread = Integer.parseInt(parts[0].substring(1));
            int i = Integer.parseInt(parts[1]);
            assertEquals(next.getOrDefault(thread, 0), i, "thread " + thread + "'s writes out of order");
            assertEquals(i % 2 == 0 ? FrameType.STDOUT : FrameType.STDERR, f.type());
            assertEquals("x".repeat(i % 50) + "\n", parts[2]);
            next.put(thread, i + 1);
        }
        assertEquals(THREADS * WRITES, frames);
    }
}
