package dev.atlas.corpus;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A log file of bounded size for what a child JVM prints: its first {@code headBytes} bytes
 * and its last {@code tailBytes} bytes, with a line between them that says how many bytes were
 * left out. A suite that logs without bound (log4j's status logger at debug level wrote
 * gigabytes) costs no more disk than the cap, while the start (the JVM's and the runner's
 * first words) and the end (the error a JVM died of) are kept.
 *
 * <p>The head goes to the file as it comes ({@link #flush()} makes it readable there); the
 * tail is kept in memory and written, after the gap line, by {@link #close()}.
 *
 * <p>Threading: not thread-safe; one pump thread writes it, the harness reads the file after
 * the pump has ended.
 */
final class CappedLog extends OutputStream {
    private final Path file;
    private final OutputStream out;
    private final long headBytes;
    private final byte[] tail;
    private long written;     // bytes given to the log in all
    private int tailStart;    // ring buffer: the oldest byte of the tail
    private int tailLength;

    CappedLog(Path file, long headBytes, int tailBytes) throws IOException {
        if (headBytes < 0 || tailBytes < 0) {
            throw new IllegalArgumentException("head " + headBytes + " and tail " + tailBytes + " bytes: expected >= 0");
        }
        this.file = file;
        this.out = Files.newOutputStream(file);
        this.headBytes = headBytes;
        this.tail = new byte[tailBytes];
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        int toHead = (int) Math.max(0, Math.min(len, headBytes - written));
        if (toHead > 0) {
            out.write(b, off, toHead);
        }
        written += len;
        for (int i = off + toHead; i < off + len; i++) {
            if (tail.length == 0) {
                break;
            }
            if (tailLength < tail.length) {
                tail[(tailStart + tailLength++) % tail.length] = b[i];
            } else {
                tail[tailStart] = b[i];
                tailStart = (tailStart + 1) % tail.length;
            }
        }
    }

    /** Bytes left out between head and tail so far. */
    long omitted() {
        return Math.max(0, written - headBytes - tailLength);
    }

    /** Flushes the head written so far (the tail is written by {@link #close()}). */
    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        try (out) {
            if (tailLength > 0) {
                if (omitted() > 0) {
                    out.write(("\n[atlas-corpus: " + omitted() + " bytes left out here (" + written + " in all; the first "
                            + headBytes + " and the last " + tailLength + " are kept) in " + file.getFileName() + "]\n")
                            .getBytes(StandardCharsets.UTF_8));
                }
                int first = Math.min(tailLength, tail.length - tailStart);
                out.write(tail, tailStart, first);
                out.write(tail, 0, tailLength - first);
            }
        }
    }
}
