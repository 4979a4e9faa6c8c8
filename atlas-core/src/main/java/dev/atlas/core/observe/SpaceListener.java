package dev.atlas.core.observe;

import java.time.Duration;

/**
 * Receives what happens in a space. Calls arrive in order on the space's housekeeper
 * thread, never on a migrating thread, so a slow listener delays other notifications but
 * never a worker. Exceptions thrown by a listener are logged and otherwise ignored.
 */
public interface SpaceListener {

    /** One thread moved; {@code remaining} threads of that migration had not settled then. */
    default void threadMigrated(ThreadMigrated event) {}

    /** A migration finished or its cancellation completed. */
    default void migrationCompleted(MigrationCompleted event) {}

    /** A view retired; its cleanup actions have run. */
    default void viewRetired(ViewRetired event) {}

    /** @param delay from the request to the move */
    record ThreadMigrated(long migrationId, long threadId, String threadName, long fromViewId, long toViewId,
                          Duration delay, int remaining) {}

    /** @param outcome DONE or CANCELLED */
    record MigrationCompleted(long migrationId, long toViewId, String outcome, int threads,
                              Duration slowestThread, Duration elapsed) {}

    record ViewRetired(long viewId, String viewName, Duration lifetime, int cleanupActions, int failedCleanupActions) {}
}
