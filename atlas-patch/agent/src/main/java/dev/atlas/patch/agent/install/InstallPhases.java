package dev.atlas.patch.agent.install;

import java.util.Locale;

/**
 * Where an installation of the agent spent its wall time, in nanoseconds ({@code atlas attach
 * --raw} shows it as the field {@code install-phases}; {@code atlas attach --timings} on stderr).
 *
 * @param select      the walk over the loaded classes choosing those to retransform (late attach; else 0)
 * @param retransform retransforming them (late attach; else 0)
 * @param pipeline    the patch pipeline (its scheduler, the JIT window) and its MBean (whose registration
 *                    sets up the platform MBean server if the application has not)
 * @param executors   weaving the JDK executors' task boundaries
 */
public record InstallPhases(long select, long retransform, long pipeline, long executors) {
    /** The phases as {@code name=ms;...} with 0.1 ms resolution, e.g. {@code select=12.3;retransform=410.0;...}. */
    public String render() {
        return String.format(Locale.ROOT, "select=%.1f;retransform=%.1f;pipeline=%.1f;executors=%.1f",
                select / 1e6, retransform / 1e6, pipeline / 1e6, executors / 1e6);
    }
}
