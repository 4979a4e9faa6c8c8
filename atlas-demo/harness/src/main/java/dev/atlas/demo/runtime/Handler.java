package dev.atlas.demo.runtime;

import dev.atlas.core.ViewKey;

import java.util.function.IntUnaryOperator;

/**
 * The "code" of the demo's workload, one value per view: a request calls {@code step1},
 * does its work, then calls {@code step2}, whose result must lie in [0, {@value #BUCKETS}).
 * v1's step2 has a bug (Java's {@code %} keeps the sign, so negative inputs give negative
 * buckets); v2 fixes it.
 *
 * @param version "v1" or "v2"
 * @param step1   parses the request input
 * @param step2   maps the intermediate result to a bucket
 */
record Handler(String version, IntUnaryOperator step1, IntUnaryOperator step2) {
    static final ViewKey<Handler> KEY = ViewKey.of("handler", Handler.class);
    static final int BUCKETS = 1000;

    static Handler v1() {
        return new Handler("v1", x -> x * 31 + 17, x -> x % BUCKETS);
    }

    static Handler v2() {
        return new Handler("v2", x -> x * 31 + 17, x -> Math.floorMod(x, BUCKETS));
    }

    static boolean validResult(int r) {
        return r >= 0 && r < BUCKETS;
    }
}
