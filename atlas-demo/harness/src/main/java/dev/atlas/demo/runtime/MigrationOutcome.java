package dev.atlas.demo.runtime;

import dev.atlas.core.MigrationReport;
import dev.atlas.core.observe.SpaceDescription;

/**
 * What the migration phase of a run leaves for the report.
 *
 * @param startNanos when the migration was requested (System.nanoTime)
 * @param selected   threads the migration selected
 * @param report     its final report, or the report at the timeout
 * @param oldRetired whether the old view reached RETIRED (and its listener event arrived)
 * @param description the space at the end of the migration window, load still running
 */
record MigrationOutcome(long startNanos, int selected, MigrationReport report, boolean oldRetired,
                        SpaceDescription description) {

    MigrationOutcome withDescription(SpaceDescription s) {
        return new MigrationOutcome(startNanos, selected, report, oldRetired, s);
    }
}
