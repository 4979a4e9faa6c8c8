package dev.atlas.demo.run;

/**
 * What the service answers once the run is over, probed with plain requests.
 *
 * @param tag        version tag of a {@code /quote} response
 * @param bugFixed   true if 10 units get the bulk discount (the v2 fix), null if the probe failed
 * @param newState   true if {@code /health} shows v2's new per-SKU state, null if the probe failed
 */
public record Verification(String tag, Boolean bugFixed, Boolean newState) {
    static final Verification UNKNOWN = new Verification(null, null, null);

    /** Probes {@code service}; never throws (a failed probe leaves the fields null). */
    static Verification probe(ServiceProcess service) {
        try {
            ServiceProcess.Answer one = service.get("/quote?sku=P007&qty=1");
            ServiceProcess.Answer ten = service.get("/quote?sku=P007&qty=10");
            ServiceProcess.Answer health = service.get("/health");
            Boolean fixed = null;
            if (one.status() == 200 && ten.status() == 200) {
                fixed = total(ten.body()) < 10 * total(one.body());
            }
            Boolean state = health.status() == 200 ? health.body().contains("\"topSku\"") : null;
            return new Verification(ten.tag(), fixed, state);
        } catch (java.io.IOException | RuntimeException e) {
            return UNKNOWN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return UNKNOWN;
        }
    }

    private static long total(String json) {
        int at = json.indexOf("\"totalCents\":");
        if (at < 0) {
            throw new IllegalArgumentException("no totalCents in " + json);
        }
        int from = at + "\"totalCents\":".length();
        int to = from;
        while (to < json.length() && Character.isDigit(json.charAt(to))) {
            to++;
        }
        return Long.parseLong(json.substring(from, to));
    }
}
