package dev.atlas.core;

import java.time.Duration;
import java.util.Optional;

/**
 * One thread's progress in a migration.
 *
 * @param threadId   {@link Thread#threadId()}
 * @param threadName the thread's name when the migration started
 * @param state      where it stands
 * @param fromViewId the view it left, or -1 while it has not moved
 * @param delay      time from the migration request to the thread's move (or other
 *                   settlement); empty while pending
 */
public record ThreadProgress(long threadId, String threadName, ThreadMigrationState state,
                             long fromViewId, Optional<Duration> delay) {
}
