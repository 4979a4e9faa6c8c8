package dev.atlas.demo.runtime;

/** Which handler versions one request ran: all-old, all-new, or (never, if the runtime is right) a mix. */
enum RequestOutcome {
    ALL_V1, ALL_V2, MIXED;

    static RequestOutcome of(Handler first, Handler second) {
        if (!first.version().equals(second.version())) {
            return MIXED;
        }
        return first.version().equals("v1") ? ALL_V1 : ALL_V2;
    }
}
