package dev.atlas.ulp.daemon;

import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A program's standard input fed by its client's STDIN frames: a bounded ring buffer. The
 * connection's reader blocks when it is full (back-pressure to the client, which keeps
 * reading the program's output meanwhile), the program blocks when it is empty.
 *
 * <p>Thread safety: one writer (the connection reader), any readers; one lock. A reader
 * blocked in {@link #read} answers an interrupt (the program's end) with
 * {@link InterruptedIOException}.
 */
final class StdinPipe extends InputStream {
    private final int capacity;
    private byte[] ring;   // allocated by the first feed: most programs get no input (guarded by lock)
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private int head;
    private int size;
    private boolean eof;

    StdinPipe(int capacity) {
        this.capacity = capacity;
    }

    /** Appends bytes, blocking while the buffer is full. */
    void feed(byte[] b) throws InterruptedException {
        int off = 0;
        lock.lock();
        try {
            if (ring == null && b.length > 0) {
                ring = new byte[capacity];
            }
            while (off < b.length) {
                while (size == ring.length && !eof) {
                    notFull.await();
                }
                if (eof) {
                    return;   // closed by the reader side (the program ended): drop the rest
                }
                int tail = (head + size) % ring.length;
                int n = Math.min(b.length - off, Math.min(ring.length - size, ring.length - tail));
                System.arraycopy(b, off, ring, tail, n);
                size += n;
                off += n;
                notEmpty.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** End of input: readers see -1 once the buffer is drained. */
    void end() {
        lock.lock();
        try {
            eof = true;
            notEmpty.signalAll();
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int read() throws InterruptedIOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws InterruptedIOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        lock.lock();
        try {
            while (size == 0 && !eof) {
                notEmpty.await();
            }
            if (size == 0) {
                return -1;
            }
            int n = Math.min(len, Math.min(size, ring.length - head));
            System.arraycopy(ring, head, b, off, n);
            head = (head + n) % ring.length;
            size -= n;
            notFull.signalAll();
            return n;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("standard input read interrupted (the program is ending)");
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int available() {
        lock.lock();
        try {
            return size;
        } finally {
            lock.unlock();
        }
    }
}
