package dev.atlas.demo.load;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * The open end of the load: once the harness says when the after-change phase begins and how
 * many answers it needs ({@link #begin}), counts the outcomes of the requests intended from
 * then on; {@link #getAsBoolean} is true once there are that many. Until then the generator
 * keeps sending (up to its bound), so the after-change phase holds the same number of answers
 * however long the change took on a slow machine.
 *
 * <p>Threading: {@link #begin} on the thread reading the harness's instructions, the outcomes
 * on the threads completing requests, {@link #getAsBoolean} on the sending thread; the fields
 * are volatile or atomic.
 */
public final class AfterChange implements OutcomeSink, BooleanSupplier {
    private final OutcomeSink recorder;
    private final AtomicLong counted = new AtomicLong();
    private final AtomicLong answered = new AtomicLong();
    private final long readyAnswers;
    private final Runnable ready;
    private volatile long fromNanos = Long.MAX_VALUE;
    private volatile long wanted = Long.MAX_VALUE;

    /** Counts for, and forwards every outcome to, {@code recorder}. */
    public AfterChange(OutcomeSink recorder) {
        this(recorder, 0, null);
    }

    /**
     * As {@link #AfterChange(OutcomeSink)}, and runs {@code ready} once (on the completing
     * thread) when {@code readyAnswers} requests have been answered successfully: the harness
     * applies the change only then, so the phase before it has answers however slowly a cold
     * service starts on a loaded machine (0: never).
     */
    public AfterChange(OutcomeSink recorder, long readyAnswers, Runnable ready) {
        this.recorder = recorder;
        this.readyAnswers = readyAnswers;
        this.ready = ready;
    }

    /**
     * The after-change phase begins with the requests intended at {@code fromNanos}
     * ({@link System#nanoTime()}) and needs {@code answers} outcomes.
     *
     * @throws IllegalArgumentException if {@code answers} is not positive
     */
    public void begin(long fromNanos, long answers) {
        if (answers < 1) {
            throw new IllegalArgumentException("answers is " + answers + ", expected at least 1");
        }
        this.fromNanos = fromNanos;
        this.wanted = answers;
    }

    /** Whether the after-change phase has as many outcomes as it needs. */
    @Override
    public boolean getAsBoolean() {
        return counted.get() >= wanted;
    }

    /** Outcomes counted so far for the after-change phase. */
    public long counted() {
        return counted.get();
    }

    @Override
    public void success(long intendedNanos, long completedNanos, TagKind tag) {
        recorder.success(intendedNanos, completedNanos, tag);
        count(intendedNanos);
        if (readyAnswers > 0 && answered.incrementAndGet() == readyAnswers) {
            ready.run();
        }
    }

    @Override
    public void failure(long intendedNanos) {
        recorder.failure(intendedNanos);
        count(intendedNanos);
    }

    private void count(long intendedNanos) {
        long from = fromNanos;
        if (from != Long.MAX_VALUE && intendedNanos - from >= 0) {
            counted.incrementAndGet();
        }
    }
}
