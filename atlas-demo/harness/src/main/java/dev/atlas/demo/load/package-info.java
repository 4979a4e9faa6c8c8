/**
 * The demo's load generator: a separate process ({@link dev.atlas.demo.load.LoadGenerator})
 * that sends requests at a constant rate, open loop, and measures each request's latency from
 * its <em>intended</em> send time, so a stall of the service (or of the generator) shows up
 * in full in the latencies of every request scheduled during it (no coordinated omission).
 *
 * <p>Results are kept per short window of intended send time ({@link dev.atlas.demo.load.WindowRecorder},
 * {@link dev.atlas.demo.load.WindowStats}): an HdrHistogram of latencies, failed requests,
 * and the version tags of the responses counted as all-old, all-new or mixed
 * ({@link dev.atlas.demo.load.VersionTags}). {@link dev.atlas.demo.load.LoadCsv} writes and reads them.
 */
package dev.atlas.demo.load;
