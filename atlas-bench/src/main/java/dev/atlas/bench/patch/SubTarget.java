package dev.atlas.bench.patch;

/**
 * A subclass of {@link Target} without a method of its own; {@link PatchedTarget#overridePatch()}
 * adds it an override of {@link Target#m}, reached through {@code Target.m}'s entry guard.
 */
public class SubTarget extends Target {
    public SubTarget(long k) {
        super(k);
    }
}
