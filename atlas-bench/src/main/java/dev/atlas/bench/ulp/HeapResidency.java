package dev.atlas.bench.ulp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JVM's Java heap after a full collection, as its resident set sees it: what the JVM has
 * committed ({@code jcmd <pid> GC.heap_info}) and how much of the heap's address range is
 * resident ({@code /proc/<pid>/smaps}).
 *
 * <p>Why the harnesses wait for it ({@link #settled}): G1 gives the regions a full GC shrank
 * the heap by back to the OS on a concurrent task, after {@code GC.run} (or
 * {@code System.gc()}) has returned. A resident set read at once still counts them: in an ecj
 * host, 193,660 KiB read at once against 139,472 KiB 0.8 s later with nothing else run
 * between (the 54 MiB were heap regions being uncommitted), which made a series of such reads
 * jump by tens of MiB from one sample to the next.
 *
 * <p>Thread safety: immutable.
 *
 * @param committedKiB the heap the JVM has committed
 * @param residentKiB  the resident pages in the heap's address range
 */
record HeapResidency(long committedKiB, long residentKiB) {
    private static final Pattern HEAP_INFO = Pattern.compile("committed (\\d+)K, used \\d+K \\[0x([0-9a-f]+), 0x([0-9a-f]+)\\)");
    private static final Pattern MAPPING = Pattern.compile("^([0-9a-f]+)-([0-9a-f]+) ");
    private static final long WAIT_NANOS = 30_000_000_000L;

    /**
     * The heap of JVM {@code pid} once its resident pages are no more than it has committed
     * (the uncommitting done), or as it is after 30 s.
     *
     * @param jcmd the JDK's {@code jcmd}
     */
    static HeapResidency settled(Path jcmd, long pid) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (true) {
            HeapResidency h = now(jcmd, pid);
            if (h.residentKiB() <= h.committedKiB() || System.nanoTime() > deadline) {
                return h;
            }
            Thread.sleep(200);   // the host uncommits on its own schedule: nothing here to wait on but time
        }
    }

    private static HeapResidency now(Path jcmd, long pid) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(jcmd.toString(), Long.toString(pid), "GC.heap_info"))
                .redirectErrorStream(true).start();
        String info = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        p.waitFor();
        Matcher m = HEAP_INFO.matcher(info);
        if (!m.find()) {
            throw new IllegalStateException("no committed size and address range in 'jcmd " + pid + " GC.heap_info': " + info);
        }
        long committed = Long.parseLong(m.group(1));
        long from = Long.parseUnsignedLong(m.group(2), 16);
        long to = Long.parseUnsignedLong(m.group(3), 16);
        long resident = 0;
        boolean inHeap = false;
        List<String> smaps = new ArrayList<>(Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps")));
        for (String line : smaps) {
            Matcher r = MAPPING.matcher(line);
            if (r.find()) {
                inHeap = Long.parseUnsignedLong(r.group(1), 16) >= from && Long.parseUnsignedLong(r.group(2), 16) <= to;
            } else if (inHeap && line.startsWith("Rss:")) {
                resident += Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return new HeapResidency(committed, resident);
    }
}
