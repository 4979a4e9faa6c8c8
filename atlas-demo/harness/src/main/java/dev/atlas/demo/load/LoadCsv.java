package dev.atlas.demo.load;

import org.HdrHistogram.Histogram;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;

/**
 * The generator's result file: {@code #key=value} header lines, then one CSV line per window.
 * The last column is the window's latency histogram (HdrHistogram's compressed encoding,
 * Base64), so a reader can merge windows exactly; the other columns are for people and
 * spreadsheets.
 *
 * <pre>
 * # atlas-demo-load 1
 * #start_epoch_micros=1763830000000000
 * #rate=800
 * ...
 * window,start_ms,length_ms,ok,failed,throughput,p50_us,p99_us,p999_us,max_us,tag_old,tag_new,tag_mixed,tag_unknown,histogram
 * 0,0,250,200,0,800.0,410,950,1210,1304,200,0,0,0,HISTFAAAA...
 * </pre>
 */
public final class LoadCsv {
    static final String MAGIC = "# atlas-demo-load 1";
    static final String COLUMNS =
            "window,start_ms,length_ms,ok,failed,throughput,p50_us,p99_us,p999_us,max_us,tag_old,tag_new,tag_mixed,tag_unknown,histogram";

    private LoadCsv() {
    }

    public static void write(LoadRun run, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (BufferedWriter out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            out.write(MAGIC + "\n");
            out.write("#start_epoch_micros=" + run.startEpochMicros() + "\n");
            out.write("#rate=" + run.rate() + "\n");
            out.write("#sent=" + run.sent() + "\n");
            out.write("#unfinished=" + run.unfinished() + "\n");
            out.write("#max_send_lag_us=" + run.maxSendLagMicros() + "\n");
            out.write("#p99_send_lag_us=" + run.p99SendLagMicros() + "\n");
            out.write("#cpu_ms=" + run.cpuMillis() + "\n");
            out.write(COLUMNS + "\n");
            for (WindowStats w : run.windows()) {
                TagCounts t = w.tags();
                out.write(w.index() + "," + w.startMillis() + "," + w.lengthMillis() + "," + w.ok() + "," + w.failed() + ","
                        + String.format(java.util.Locale.ROOT, "%.1f", w.throughput()) + "," + w.p50() + "," + w.p99() + ","
                        + w.p999() + "," + w.max() + "," + t.old() + "," + t.fresh() + "," + t.mixed() + "," + t.unknown()
                        + "," + encode(w.latencies()) + "\n");
            }
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** Reads a result file; a malformed one is an {@link IOException} naming the line and what was expected. */
    public static LoadRun read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.getFirst().equals(MAGIC)) {
            throw new IOException(file + ": line 1 is not '" + MAGIC + "'; not a load generator result file");
        }
        Map<String, Long> header = new HashMap<>();
        List<WindowStats> windows = new ArrayList<>();
        for (int n = 1; n < lines.size(); n++) {
            String line = lines.get(n);
            if (line.isEmpty() || line.equals(COLUMNS)) {
                continue;
            }
            try {
                if (line.startsWith("#")) {
                    int eq = line.indexOf('=');
                    header.put(line.substring(1, eq), Long.parseLong(line.substring(eq + 1)));
                } else {
                    windows.add(window(line));
                }
            } catch (RuntimeException | DataFormatException e) {
                throw new IOException(file + ": line " + (n + 1) + " is malformed (" + e + "); expected '#key=number' or "
                        + COLUMNS, e);
            }
        }
        return new LoadRun(get(header, "start_epoch_micros", file), Math.toIntExact(get(header, "rate", file)),
                get(header, "sent", file), get(header, "unfinished", file), get(header, "max_send_lag_us", file),
                get(header, "p99_send_lag_us", file), get(header, "cpu_ms", file), windows);
    }

    private static long get(Map<String, Long> header, String key, Path file) throws IOException {
        Long value = header.get(key);
        if (value == null) {
            throw new IOException(file + ": header '#" + key + "=' is missing");
        }
        return value;
    }

    private static WindowStats window(String line) throws DataFormatException {
        String[] f = line.split(",", -1);
        if (f.length != 15) {
            throw new IllegalArgumentException(f.length + " columns instead of 15");
        }
        Histogram h = Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(f[14])), 0);
        return new WindowStats(Integer.parseInt(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]),
                Long.parseLong(f[4]), new TagCounts(Long.parseLong(f[10]), Long.parseLong(f[11]), Long.parseLong(f[12]),
                Long.parseLong(f[13])), h);
    }

    private static String encode(Histogram h) {
        ByteBuffer buffer = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int length = h.encodeIntoCompressedByteBuffer(buffer);
        byte[] bytes = new byte[length];
        buffer.flip();
        buffer.get(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }
}
