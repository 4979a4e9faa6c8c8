package dev.atlas.core;

import java.time.Duration;
import java.util.List;

/**
 * A thread that has not yet reached a quiescence point for a migration: who it is, what
 * it is doing, and for how long it has kept the migration waiting.
 *
 * @param threadId    {@link Thread#threadId()}
 * @param threadName  the thread's name
 * @param virtual     whether it is a virtual thread
 * @param threadState its state when the report was taken
 * @param waiting     time since the migration was requested
 * @param stack       its stack when the report was taken, innermost frame first
 */
public record Straggler(long threadId, String threadName, boolean virtual, Thread.State threadState,
                        Duration waiting, List<StackTraceElement> stack) {

    /** A jstack-like rendering with at most {@code maxFrames} frames. */
    public String render(int maxFrames) {
        StringBuilder sb = new StringBuilder();
        sb.append('"').append(threadName).append("\" #").append(threadId)
                .append(virtual ? " virtual" : "").append(' ').append(threadState)
                .append(", waiting ").append(waiting.toMillis()).append(" ms");
        int n = Math.min(maxFrames, stack.size());
        for (int i = 0; i < n; i++) {
            sb.append("\n    at ").append(stack.get(i));
        }
        if (stack.size() > n) {
            sb.append("\n    ... ").append(stack.size() - n).append(" more");
        }
        return sb.toString();
    }
}
