package dev.atlas.ulp.daemon;

import org.junit.jupiter.api.Test;

import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * Stress over {@link StdinPipe}, a blocking ring buffer (Lincheck does not model blocking Java
 * operations): a writer feeding chunks larger than the buffer while readers drain it. Every
 * byte is read exactly once, a single reader sees the bytes in order, every reader sees the
 * end of input once the buffer is drained, and a reader blocked on an empty pipe answers an
 * interrupt with {@link InterruptedIOException}.
 */
class StdinPipeStressTest {
    private static final int BYTES = 200_000;

    private static byte[] input(long seed) {
        byte[] b = new byte[BYTES];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Feeds {@code all} in random chunks of 1..40 bytes (the pipe holds 7), then ends it. */
    private static Thread writer(StdinPipe pipe, byte[] all, long seed) {
        return Thread.ofPlatform().name("feeder").start(() -> {
            Random r = new Random(seed);
            try {
                for (int off = 0; off < all.length; ) {
                    int n = Math.min(all.length - off, 1 + r.nextInt(40));
                    byte[] chunk = new byte[n];
                    System.arraycopy(all, off, chunk, 0, n);
                    pipe.feed(chunk);
                    off += n;
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            } finally {
                pipe.end();
            }
        });
    }

    @Test
    void oneReaderGetsEveryByteInOrder() throws Exception {
        StdinPipe pipe = new StdinPipe(7);
        byte[] all = input(1);
        Thread w = writer(pipe, all, 2);
        byte[] got = pipe.readAllBytes();
        w.join();
        assertArrayEquals(all, got);
        assertEquals(-1, pipe.read());
    }

    @Test
    void manyReadersGetEveryByteExactlyOnce() throws Exception {
        StdinPipe pipe = new StdinPipe(7);
        byte[] all = input(3);
        List<CompletableFuture<long[]>> readers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            boolean single = i % 2 == 0;
            readers.add(CompletableFuture.supplyAsync(() -> {
                long[] histogram = new long[256];
                byte[] buf = new byte[13];
                try {
                    while (true) {
                        int n = single ? pipe.read() : pipe.read(buf, 0, buf.length);
                        if (n < 0) {
                            return histogram;
                        }
                        if (single) {
                            histogram[n]++;
                        } else {
                            for (int k = 0; k < n; k++) {
                                histogram[buf[k] & 0xff]++;
                            }
                        }
                    }
                } catch (InterruptedIOException e) {
                    throw new IllegalStateException(e);
                }
            }, r -> Thread.ofPlatform().start(r)));
        }
        Thread w = writer(pipe, all, 4);
        long[] expected = new long[256];
        for (byte b : all) {
            expected[b & 0xff]++;
        }
        long[] got = new long[256];
        for (CompletableFuture<long[]> r : readers) {
            long[] h = r.get(2, TimeUnit.MINUTES);
            for (int k = 0; k < 256; k++) {
                got[k] += h[k];
            }
        }
        w.join();
        assertArrayEquals(expected, got);
    }

    @Test
    void aReaderBlockedOnAnEmptyPipeAnswersAnInterrupt() throws Exception {
        StdinPipe pipe = new StdinPipe(7);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread reader = Thread.ofPlatform().start(() -> {
            try {
                pipe.read();
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        while (reader.getState() != Thread.State.WAITING) {   // parked in the pipe's condition
            Thread.onSpinWait();
        }
        reader.interrupt();
        reader.join();
        assertInstanceOf(InterruptedIOException.class, thrown.get());
    }
}
