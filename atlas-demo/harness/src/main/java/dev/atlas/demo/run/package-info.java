/**
 * The patch demo's orchestrator: the same scenario (steady load, the v1 → v2 change mid-run,
 * steady load again) run once per {@link dev.atlas.demo.run.PatchMode}, measured by the load
 * generator in its own process, and compared side by side
 * ({@link dev.atlas.demo.run.PatchDemo}, {@link dev.atlas.demo.run.ComparisonTable}, a PNG chart).
 *
 * <p>Modes: {@link dev.atlas.demo.run.ControlMode} (the Atlas mode's service and warm-up,
 * nothing applied at T: the same-run baseline for the change window),
 * {@link dev.atlas.demo.run.AtlasMode} (wait-free live patching; waits for the
 * Atlas runtime), {@link dev.atlas.demo.run.HotSwapMode} (HotSpot
 * {@code Instrumentation.redefineClasses}, method bodies only) and
 * {@link dev.atlas.demo.run.RestartMode} (stop the service, start the v2 build).
 */
package dev.atlas.demo.run;
