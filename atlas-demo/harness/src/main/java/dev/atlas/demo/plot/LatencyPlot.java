package dev.atlas.demo.plot;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A line chart of latency over time: one line per series, the y axis in milliseconds on a
 * log scale (steady latencies and a spike a hundred times higher both stay readable), and a
 * vertical marker line (the instant of the change).
 *
 * {@snippet class=dev.atlas.demo.snippets.HarnessSnippets region=latency-plot}
 *
 * <p>Implementation notes: draws with {@code java.awt} on a {@link BufferedImage}, which works
 * without a display ({@code java.awt.headless}); text needs a font, and if the JVM finds none
 * the chart is still written, without its text ({@link #write} returns false then). Not
 * thread-safe: one instance draws one chart at a time.
 */
public final class LatencyPlot {
    private static final int LEFT = 80;
    private static final int RIGHT = 200;
    private static final int TOP = 50;
    private static final int BOTTOM = 60;

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final int width;
    private final int height;
    private String flagLegend;

    /** @throws IllegalArgumentException if the image is smaller than 400 x 300 or larger than 10000 x 10000 */
    public LatencyPlot(String title, String xLabel, String yLabel, int width, int height) {
        if (width < 400 || height < 300 || width > 10_000 || height > 10_000) {
            throw new IllegalArgumentException("plot size is " + width + "x" + height
                    + ", expected from 400x300 to 10000x10000 pixels");
        }
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
        this.width = width;
        this.height = height;
    }

    /** What the crosses of flagged points mean, for the legend (e.g. "failed requests"); null: no legend entry. */
    public LatencyPlot flagLegend(String text) {
        this.flagLegend = text;
        return this;
    }

    /**
     * Writes the chart to {@code png} (parent directories are created).
     *
     * @param markerX     x of the vertical marker line, or {@code NaN} for none
     * @param markerLabel its label
     * @return true if the text was drawn, false if no font was available and it was left out
     */
    public boolean write(Path png, List<Series> series, double markerX, String markerLabel) throws IOException {
        BufferedImage image = render(series, markerX, markerLabel);
        Path parent = png.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (!ImageIO.write(image, "png", png.toFile())) {
            throw new IOException("no PNG writer in this JVM (javax.imageio)");
        }
        return textDrawn;
    }

    private boolean textDrawn;

    /** The chart as an image (what {@link #write} writes). */
    public BufferedImage render(List<Series> series, double markerX, String markerLabel) {
        textDrawn = true;
        double xMin = Double.POSITIVE_INFINITY;
        double xMax = Double.NEGATIVE_INFINITY;
        double yMin = Double.POSITIVE_INFINITY;
        double yMax = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (int i = 0; i < s.size(); i++) {
                xMin = Math.min(xMin, s.xAt(i));
                xMax = Math.max(xMax, s.xAt(i));
                if (s.yAt(i) > 0) {
                    yMin = Math.min(yMin, s.yAt(i));
                    yMax = Math.max(yMax, s.yAt(i));
                }
            }
        }
        if (!Double.isNaN(markerX)) {
            xMin = Math.min(xMin, markerX);
            xMax = Math.max(xMax, markerX);
        }
        if (!(xMin < xMax)) {
            xMin = Double.isFinite(xMin) ? xMin - 1 : 0;
            xMax = xMin + 2;
        }
        // y: whole decades around the data (log scale)
        double decadeLow = Double.isFinite(yMin) ? Math.floor(Math.log10(yMin)) : -1;
        double decadeHigh = Double.isFinite(yMax) ? Math.ceil(Math.log10(yMax * 1.5)) : 1;
        if (decadeHigh <= decadeLow) {
            decadeHigh = decadeLow + 1;
        }
        Axes axes = new Axes(xMin, xMax, decadeLow, decadeHigh, LEFT, TOP, width - LEFT - RIGHT, height - TOP - BOTTOM);

        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            drawGrid(g, axes);
            drawMarker(g, axes, markerX, markerLabel);
            for (int i = 0; i < series.size(); i++) {
                drawSeries(g, axes, series.get(i));
                drawFlags(g, axes, series.get(i), i);
            }
            drawLegend(g, series);
            text(g, title, width / 2.0, 28, 0.5, Font.BOLD, 16);
            text(g, xLabel, axes.left + axes.w / 2.0, height - 18, 0.5, Font.PLAIN, 13);
            verticalText(g, yLabel, 22, axes.top + axes.h / 2.0);
        } finally {
            g.dispose();
        }
        return image;
    }

    private record Axes(double xMin, double xMax, double decadeLow, double decadeHigh, int left, int top, int w, int h) {
        double px(double x) {
            return left + (x - xMin) / (xMax - xMin) * w;
        }

        double py(double y) {
            double d = Math.log10(y);
            return top + h - (d - decadeLow) / (decadeHigh - decadeLow) * h;
        }
    }

    private void drawGrid(Graphics2D g, Axes a) {
        g.setStroke(new BasicStroke(1f));
        for (double d = a.decadeLow(); d <= a.decadeHigh(); d++) {
            double y = a.py(Math.pow(10, d));
            g.setColor(new Color(0xDDDDDD));
            g.drawLine(a.left(), (int) Math.round(y), a.left() + a.w(), (int) Math.round(y));
            g.setColor(Color.DARK_GRAY);
            text(g, formatMillis(Math.pow(10, d)), a.left() - 6, y + 4, 1.0, Font.PLAIN, 11);
        }
        double step = niceStep((a.xMax() - a.xMin()) / 10);
        for (double x = Math.ceil(a.xMin() / step) * step; x <= a.xMax() + 1e-9; x += step) {
            double px = a.px(x);
            g.setColor(new Color(0xEEEEEE));
            g.drawLine((int) Math.round(px), a.top(), (int) Math.round(px), a.top() + a.h());
            g.setColor(Color.DARK_GRAY);
            text(g, String.format(Locale.ROOT, step < 1 ? "%.1f" : "%.0f", x), px, a.top() + a.h() + 16, 0.5, Font.PLAIN, 11);
        }
        g.setColor(Color.BLACK);
        g.drawRect(a.left(), a.top(), a.w(), a.h());
    }

    private void drawMarker(Graphics2D g, Axes a, double markerX, String label) {
        if (Double.isNaN(markerX)) {
            return;
        }
        int x = (int) Math.round(a.px(markerX));
        g.setColor(new Color(0x555555));
        g.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[]{6f, 4f}, 0f));
        g.drawLine(x, a.top(), x, a.top() + a.h());
        g.setStroke(new BasicStroke(1f));
        text(g, label, x + 4, a.top() + 14, 0.0, Font.ITALIC, 12);
    }

    private static void drawSeries(Graphics2D g, Axes a, Series s) {
        g.setColor(s.color());
        g.setStroke(new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        Path2D.Double path = new Path2D.Double();
        boolean drawing = false;
        for (int i = 0; i < s.size(); i++) {
            if (s.yAt(i) <= 0 || !Double.isFinite(s.yAt(i))) {
                drawing = false;
                continue;
            }
            double px = a.px(s.xAt(i));
            double py = a.py(s.yAt(i));
            if (drawing) {
                path.lineTo(px, py);
            } else {
                path.moveTo(px, py);
                path.lineTo(px, py);
                drawing = true;
            }
        }
        g.draw(path);
    }

    /** Crosses for the flagged points, one row per series along the top of the plot area. */
    private static void drawFlags(Graphics2D g, Axes a, Series s, int row) {
        g.setColor(s.color());
        g.setStroke(new BasicStroke(1.5f));
        int y = a.top() + 24 + 9 * row;
        for (int i = 0; i < s.size(); i++) {
            if (s.flaggedAt(i)) {
                int x = (int) Math.round(a.px(s.xAt(i)));
                g.drawLine(x - 3, y - 3, x + 3, y + 3);
                g.drawLine(x - 3, y + 3, x + 3, y - 3);
            }
        }
    }

    private void drawLegend(Graphics2D g, List<Series> series) {
        int x = width - RIGHT + 16;
        int y = TOP + 10;
        boolean anyFlag = false;
        for (Series s : series) {
            g.setColor(s.color());
            g.setStroke(new BasicStroke(3f));
            g.drawLine(x, y, x + 24, y);
            g.setColor(Color.BLACK);
            text(g, s.label(), x + 30, y + 4, 0.0, Font.PLAIN, 12);
            y += 22;
            for (int i = 0; i < s.size() && !anyFlag; i++) {
                anyFlag = s.flaggedAt(i);
            }
        }
        if (anyFlag && flagLegend != null) {
            g.setColor(Color.DARK_GRAY);
            g.setStroke(new BasicStroke(1.5f));
            g.drawLine(x + 9, y - 3, x + 15, y + 3);
            g.drawLine(x + 9, y + 3, x + 15, y - 3);
            text(g, flagLegend, x + 30, y + 4, 0.0, Font.PLAIN, 12);
        }
    }

    /** Draws {@code s} with its anchor at {@code align} (0 left, 0.5 centre, 1 right) of its width. */
    private void text(Graphics2D g, String s, double x, double y, double align, int style, int size) {
        if (!textDrawn || s == null || s.isEmpty()) {
            return;
        }
        try {
            g.setFont(new Font(Font.SANS_SERIF, style, size));
            FontMetrics m = g.getFontMetrics();
            g.drawString(s, (float) (x - align * m.stringWidth(s)), (float) y);
        } catch (Error | RuntimeException e) {
            textDrawn = false;
        }
    }

    private void verticalText(Graphics2D g, String s, double x, double y) {
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2, x, y);
        g.setColor(Color.BLACK);
        text(g, s, x, y, 0.5, Font.PLAIN, 13);
        g.setTransform(saved);
    }

    private static String formatMillis(double ms) {
        return new BigDecimal(ms).round(new MathContext(1)).stripTrailingZeros().toPlainString();
    }

    private static double niceStep(double raw) {
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[]{1, 2, 5, 10}) {
            if (m * p >= raw) {
                return m * p;
            }
        }
        return 10 * p;
    }
}
