package dev.atlas.bench.delay;

/** A migration (or a worker) did not finish in time; ends the scenario, reported as FAILED. */
final class MigrationFailed extends Exception {
    private static final long serialVersionUID = 1L;

    MigrationFailed(String message) {
        super(message);
    }
}
