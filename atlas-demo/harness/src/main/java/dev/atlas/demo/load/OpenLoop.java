package dev.atlas.demo.load;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The open-loop schedule: request {@code i} is due at {@code start + i / rate}, whatever
 * happened to earlier requests. One thread sends; completions record on whatever thread
 * completes them.
 *
 * {@snippet class=dev.atlas.demo.snippets.HarnessSnippets region=open-loop}
 *
 * <p>Implementation notes: the sender sleeps until each request's intended time, sends it and
 * moves on; it never waits for a response. If sending falls behind (a pause of the
 * generator itself), the late requests go out at once and their latency still counts from
 * their intended time, so the pause is charged to them in full, as a user would have seen it
 * (the correction for coordinated omission). {@link Result#maxSendLagMicros} reports how far
 * behind sending fell: if it is large the generator, not the service, was the bottleneck.
 */
public final class OpenLoop {
    /**
     * What the run did.
     *
     * @param sent             requests sent
     * @param unfinished       requests still without an outcome when the drain timeout ran out
     *                         (not recorded: neither ok nor failed)
     * @param maxSendLagMicros largest delay between a request's intended and actual send time
     * @param p99SendLagMicros 99th percentile of that delay
     */
    public record Result(long sent, long unfinished, long maxSendLagMicros, long p99SendLagMicros) {
    }

    private final int rate;
    private final Duration duration;
    private final Duration maxDuration;
    private final VersionTags tags;

    /**
     * A closed schedule: sends for exactly {@code duration}.
     *
     * @param rate     requests per second, 1 to 100000
     * @param duration how long to send
     * @param tags     how to classify version tags
     */
    public OpenLoop(int rate, Duration duration, VersionTags tags) {
        this(rate, duration, duration, tags);
    }

    /**
     * A schedule with an open end: sends for at least {@code duration}, then on until the
     * condition given to {@link #run(RequestSender, long, OutcomeSink, Duration, BooleanSupplier)}
     * holds, for at most {@code maxDuration}.
     *
     * @throws IllegalArgumentException if a duration is not positive or the bound is below the minimum
     */
    public OpenLoop(int rate, Duration duration, Duration maxDuration, VersionTags tags) {
        if (rate < 1 || rate > 100_000) {
            throw new IllegalArgumentException("rate is " + rate + " req/s, expected 1 to 100000");
        }
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("duration is " + duration + ", expected a positive duration");
        }
        if (maxDuration.compareTo(duration) < 0) {
            throw new IllegalArgumentException("maximum duration is " + maxDuration + ", expected at least the duration "
                    + duration);
        }
        this.rate = rate;
        this.duration = duration;
        this.maxDuration = maxDuration;
        this.tags = tags;
    }

    /**
     * Sends from {@code startNanos} ({@link System#nanoTime()} of request 0's intended time)
     * for the duration, then waits up to {@code drain} for the answers still outstanding.
     */
    public Result run(RequestSender sender, long startNanos, OutcomeSink recorder, Duration drain) throws InterruptedException {
        return run(sender, startNanos, recorder, drain, NEVER);
    }

    private static final BooleanSupplier NEVER = () -> false;

    /**
     * As {@link #run(RequestSender, long, OutcomeSink, Duration)}, but past the duration keeps
     * sending until {@code enough} holds (checked before each request) or the maximum duration
     * is reached.
     */
    public Result run(RequestSender sender, long startNanos, OutcomeSink recorder, Duration drain, BooleanSupplier enough)
            throws InterruptedException {
        long start = startNanos;
        long count = duration.toNanos() * rate / 1_000_000_000L;
        long maxCount = maxDuration.toNanos() * rate / 1_000_000_000L;
        AtomicLong outstanding = new AtomicLong();
        var lag = WindowRecorder.newHistogram();
        long i = 0;
        for (; i < count || (i < maxCount && !enough.getAsBoolean()); i++) {
            long intended = start + i * 1_000_000_000L / rate;
            long now;
            while ((now = System.nanoTime()) < intended) {
                LockSupport.parkNanos(intended - now);
            }
            if (Thread.interrupted()) {
                throw new InterruptedException("load generator interrupted after " + i + " requests");
            }
            lag.recordValue(Math.min((now - intended) / 1_000, WindowRecorder.HIGHEST_MICROS));
            outstanding.incrementAndGet();
            CompletableFuture<Response> answer;
            try {
                answer = sender.send(i);
            } catch (RuntimeException e) {
                answer = CompletableFuture.failedFuture(e);
            }
            answer.whenComplete((response, error) -> {
                long done = System.nanoTime();
                if (error == null && response.ok()) {
                    recorder.success(intended, done, tags.classify(response.versionTag()));
                } else {
                    recorder.failure(intended);
                }
                outstanding.decrementAndGet();
            });
        }
        long drainEnd = System.nanoTime() + drain.toNanos();
        while (outstanding.get() > 0 && System.nanoTime() < drainEnd) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        return new Result(i, outstanding.get(), lag.getMaxValue(), lag.getValueAtPercentile(99));
    }
}
