package dev.atlas.bench.delay;

import dev.atlas.core.Migration;
import dev.atlas.core.MigrationReport;
import dev.atlas.core.MigrationTimeoutException;

import java.time.Duration;

/** Awaiting a migration (and the harness's other waits) with a common timeout. */
final class MigrationAwait {

    /** How long the harness waits for a migration, a worker or the pool before giving up. */
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private MigrationAwait() {
    }

    static MigrationReport await(Migration m) throws InterruptedException, MigrationFailed {
        try {
            return m.await(TIMEOUT);
        } catch (MigrationTimeoutException e) {
            m.cancel();
            throw new MigrationFailed(e.getMessage());
        }
    }
}
