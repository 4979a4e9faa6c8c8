/**
 * A latency-over-time chart as a PNG, drawn with {@code java.awt} on a
 * {@link java.awt.image.BufferedImage} (headless, no dependency): {@link dev.atlas.demo.plot.LatencyPlot}.
 */
package dev.atlas.demo.plot;
