package dev.atlas.demo.plot;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LatencyPlotTest {
    private static final Color RED = new Color(0xC62828);
    private static final Color GREEN = new Color(0x2E7D32);

    @TempDir
    Path dir;

    @Test
    void writesAValidPngOfTheRequestedSizeWithTheLinesAndTheMarker() throws IOException {
        double[] x = new double[40];
        double[] flat = new double[40];
        double[] spike = new double[40];
        for (int i = 0; i < 40; i++) {
            x[i] = -5 + i * 0.25;
            flat[i] = 0.5;
            spike[i] = x[i] >= 0 && x[i] < 1 ? 800 : 0.6;
        }
        Path png = dir.resolve("out/latency.png");
        boolean labelled = new LatencyPlot("title", "seconds", "ms", 900, 500)
                .write(png, List.of(new Series("atlas", GREEN, x, flat), new Series("restart", RED, x, spike)), 0.0, "T");

        byte[] bytes = Files.readAllBytes(png);
        assertArrayEquals(new byte[]{(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, Arrays.copyOf(bytes, 8));
        BufferedImage image = ImageIO.read(png.toFile());
        assertNotNull(image);
        assertEquals(900, image.getWidth());
        assertEquals(500, image.getHeight());
        assertTrue(count(image, RED) > 50, "the restart line is missing");
        assertTrue(count(image, GREEN) > 50, "the atlas line is missing");
        assertTrue(labelled || count(image, Color.BLACK) > 0);
    }

    @Test
    void theSpikeIsDrawnAboveTheFlatLine() {
        double[] x = {0, 1, 2};
        BufferedImage image = new LatencyPlot("t", "x", "y", 600, 400).render(
                List.of(new Series("flat", GREEN, x, new double[]{1, 1, 1}), new Series("spike", RED, x, new double[]{1, 1000, 1})),
                Double.NaN, "");
        int redTop = topRow(image, RED);
        int greenTop = topRow(image, GREEN);
        assertTrue(redTop >= 0 && greenTop >= 0);
        assertTrue(redTop < greenTop - 100, "spike top row " + redTop + " is not well above the flat line at " + greenTop);
    }

    @Test
    void badInputIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new LatencyPlot("t", "x", "y", 100, 100));
        assertThrows(IllegalArgumentException.class, () -> new Series("s", RED, new double[2], new double[3]));
        assertThrows(IllegalArgumentException.class, () -> new Series("s", RED, new double[2], new double[2], new boolean[1]));
    }

    @Test
    void pointsWithoutDataBreakTheLineAndAnEmptyChartStillRenders() {
        BufferedImage empty = new LatencyPlot("t", "x", "y", 600, 400).render(List.of(), 0.0, "T");
        assertEquals(600, empty.getWidth());
        BufferedImage gaps = new LatencyPlot("t", "x", "y", 600, 400).render(
                List.of(new Series("s", RED, new double[]{0, 1, 2}, new double[]{0, 0, 0})), Double.NaN, "");
        assertEquals(0, countInPlotArea(gaps, RED), "a line was drawn through points without data");
        assertTrue(count(gaps, RED) > 0, "the legend lost the series");
    }

    @Test
    void flaggedPointsGetCrossesEvenWithoutLatency() {
        double[] x = {0, 1, 2};
        BufferedImage plain = new LatencyPlot("t", "x", "y", 600, 400).render(
                List.of(new Series("s", RED, x, new double[]{0, 0, 0})), Double.NaN, "");
        BufferedImage flagged = new LatencyPlot("t", "x", "y", 600, 400).flagLegend("failed").render(
                List.of(new Series("s", RED, x, new double[]{0, 0, 0}, new boolean[]{false, true, true})), Double.NaN, "");
        assertEquals(0, countInPlotArea(plain, RED));
        assertTrue(countInPlotArea(flagged, RED) > 10, "no crosses for the flagged points");
    }

    private static int count(BufferedImage image, Color color) {
        int n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if ((image.getRGB(x, y) & 0xFFFFFF) == (color.getRGB() & 0xFFFFFF)) {
                    n++;
                }
            }
        }
        return n;
    }

    /** Pixels of {@code color} left of the legend (which is 200 pixels wide). */
    private static int countInPlotArea(BufferedImage image, Color color) {
        int n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth() - 200; x++) {
                if ((image.getRGB(x, y) & 0xFFFFFF) == (color.getRGB() & 0xFFFFFF)) {
                    n++;
                }
            }
        }
        return n;
    }

    /** Topmost row with a pixel of {@code color} inside the plot area (left of the legend), or -1. */
    private static int topRow(BufferedImage image, Color color) {
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth() - 200; x++) {
                if ((image.getRGB(x, y) & 0xFFFFFF) == (color.getRGB() & 0xFFFFFF)) {
                    return y;
                }
            }
        }
        return -1;
    }
}
