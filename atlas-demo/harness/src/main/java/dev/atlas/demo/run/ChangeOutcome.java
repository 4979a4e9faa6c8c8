package dev.atlas.demo.run;

import java.time.Duration;
import java.util.List;

/**
 * What a {@link PatchMode} did when asked to apply the change at time T.
 *
 * @param applied       what went into the service, e.g. "v2 (whole change)" or "nothing"
 * @param inEffect      from T until the change was in effect for new requests (null if it never was)
 * @param allMigrated   from T until every thread ran the new code (null if the mode has no such
 *                      notion or does not know)
 * @param pause         time the application was stopped for the change (a safepoint), if known; else null
 * @param notes         what the reader must know (refusals, what could not be expressed)
 */
public record ChangeOutcome(String applied, Duration inEffect, Duration allMigrated, Duration pause, List<String> notes) {
    public ChangeOutcome {
        notes = List.copyOf(notes);
    }
}
