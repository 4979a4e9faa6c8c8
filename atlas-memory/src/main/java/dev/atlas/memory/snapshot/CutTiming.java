package dev.atlas.memory.snapshot;

import java.time.Duration;

/**
 * How long a cut took.
 *
 * @param stopping from asking the writers to stop until the last one had stopped
 * @param pause    from the first writer's stop (its wait at the gate) until the gate opened:
 *                 the longest pause a writer saw, apart from its own wake-up latency
 *                 ({@link Duration#ZERO} when no writer had to wait)
 * @param action   the work done at the cut itself, while the writers were stopped
 */
public record CutTiming(Duration stopping, Duration pause, Duration action) {
}
