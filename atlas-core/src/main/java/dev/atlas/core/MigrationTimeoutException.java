package dev.atlas.core;

import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * A migration did not complete in the time given; names every thread that kept it
 * waiting, with its state and stack. The migration itself goes on: a caller may wait
 * again, or {@linkplain Migration#cancel() cancel} it.
 */
public final class MigrationTimeoutException extends TimeoutException {
    private static final long serialVersionUID = 1L;

    private final transient List<Straggler> stragglers;

    MigrationTimeoutException(Migration migration, java.time.Duration timeout, List<Straggler> stragglers) {
        super(message(migration, timeout, stragglers));
        this.stragglers = List.copyOf(stragglers);
    }

    private static String message(Migration m, java.time.Duration timeout, List<Straggler> stragglers) {
        StringBuilder sb = new StringBuilder();
        sb.append("migration ").append(m.id()).append(" to view ").append(m.target().describe())
                .append(" not complete after ").append(timeout.toMillis()).append(" ms: ")
                .append(stragglers.size()).append(" thread(s) have not reached a quiescence point");
        for (Straggler s : stragglers) {
            sb.append('\n').append(s.render(8));
        }
        return sb.toString();
    }

    /** The threads that had not moved when the time ran out. */
    public List<Straggler> stragglers() {
        return stragglers;
    }
}
