package dev.atlas.bench.spaces;

import dev.atlas.memory.linux.Linux;
import dev.atlas.spaces.AttachOptions;
import dev.atlas.spaces.SharedSpace;
import dev.atlas.spaces.SpaceDirectory;
import dev.atlas.spaces.sys.SpaceSyscalls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Where the time of creating, attaching, detaching and deleting a space goes: each step of
 * the space's life, then the system calls and JDK calls it is made of, measured alone in the
 * same run. Reports wall time and the thread's CPU time per operation (best of five rounds
 * after a warm-up round): on a loaded machine wall time includes waiting for a CPU, CPU time
 * does not.
 *
 * {@snippet lang=shell :
 * java --enable-native-access=ALL-UNNAMED -cp atlas-bench/target/atlas-bench.jar dev.atlas.bench.spaces.SpaceCostHarness [ROUNDS]
 * }
 */
public final class SpaceCostHarness {
    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();
    private static final long CAPACITY = 1L << 30;

    private SpaceCostHarness() {}

    @FunctionalInterface
    interface Step {
        void run(int i) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        Path tmp = Files.createTempDirectory(Path.of("/dev/shm"), "atlas-space-cost-");
        try {
            run(SpaceDirectory.at(tmp), tmp, n);
        } finally {
            try (Stream<Path> s = Files.walk(tmp)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    private static void run(SpaceDirectory dir, Path tmp, int n) throws Exception {
        System.out.printf(Locale.ROOT, "%-48s %10s %10s%n", "operation (1 GiB segment)", "wall us", "cpu us");
        SharedSpace[] held = new SharedSpace[1];
        for (long size : new long[] {64L << 20, CAPACITY, 16L << 30}) {   // size independence
            measure("create + attach (read-write), " + (size >> 20) + " MiB", n, null,
                    i -> held[0] = dir.create("c" + i, size, 0600), i -> {
                        held[0].close();
                        dir.delete("c" + i, true);
                    });
        }
        // create writes both files' first bytes with pwrite and touches neither mapping: the first access pays for them
        measure("create + attach + first allocate(64), 1024 MiB", n, null, i -> {
            held[0] = dir.create("f" + i, CAPACITY, 0600);
            held[0].allocate(64);
        }, i -> {
            held[0].close();
            dir.delete("f" + i, true);
        });
        measure("detach (read-write attachment)", n, i -> held[0] = dir.create("d" + i, CAPACITY, 0600),
                i -> held[0].close(), i -> dir.delete("d" + i, true));
        measure("delete (detached space)", n, i -> dir.create("e" + i, CAPACITY, 0600).close(),
                i -> dir.delete("e" + i, true), null);
        dir.create("a", CAPACITY, 0600).close();   // detached: its fixed address is free in this process
        measure("attach read-only + detach (existing space)", n, null,
                i -> dir.attach("a", AttachOptions.READ_ONLY).close(), null);
        measure("inspect (read without attaching)", n, null, i -> dir.inspect("a"), null);
        dir.delete("a", false);
        String f = tmp.resolve("file").toString();
        measure("open(O_CREAT|O_EXCL) + fchmod + close + unlink", n, null, i -> {
            Linux.close(SpaceSyscalls.createExclusive(f, 0600));
            Files.delete(Path.of(f));
        }, null);
        int fd = SpaceSyscalls.createExclusive(f, 0600);
        try {
            Linux.ftruncate(fd, CAPACITY);
            measure("ftruncate", n, null, i -> Linux.ftruncate(fd, CAPACITY), null);
            try (Arena images = Arena.ofConfined()) {
                MemorySegment image = images.allocate(12 * 1024, 8);
                measure("pwrite 12 KiB (a header image) at offset 0", n, null,
                        i -> SpaceSyscalls.pwriteFully(fd, image, 0), null);
            }
            measure("mmap 1 GiB MAP_SHARED + munmap", n, null, i -> Linux.munmap(Linux.mmap(MemorySegment.NULL, CAPACITY,
                    Linux.PROT_READ | Linux.PROT_WRITE, Linux.MAP_SHARED, fd, 0)), null);
            // what create does with its segment: a fixed address in [32 TiB, 96 TiB), 1 GiB-aligned (new page-table
            // pages there), then the heap header written (the first write allocates a tmpfs page: a fresh one each time)
            measure("mmap 1 GiB at a new fixed address + munmap", n, null, i -> Linux.munmap(mapFixed(fd, i)), null);
            measure("  + first write to a new page of the file", n, null, i -> {
                MemorySegment m = mapFixed(fd, i);
                m.set(JAVA_LONG, 4096L * i, i);
                Linux.munmap(m);
            }, null);
        } finally {
            Linux.close(fd);
        }
        measure("Files.getAttribute(unix:mode)", n, null, i -> Files.getAttribute(Path.of(f), "unix:mode"), null);
        measure("kill(pid, 0) (liveness)", n, null, i -> SpaceSyscalls.isAlive(1), null);
        measure("Arena.ofShared() + close (a handshake)", n, null, i -> Arena.ofShared().close(), null);
    }

    /** A 1 GiB mapping of {@code fd} at a fixed address that differs for each {@code i}, as create chooses one. */
    private static MemorySegment mapFixed(int fd, int i) {
        long base = 0x2000_0000_0000L + (((i * 0x9E37_79B9L) & 0xFFFF_FFFFL) % 0xFFFF) * (1L << 30);
        return Linux.mmap(MemorySegment.ofAddress(base), CAPACITY, Linux.PROT_READ | Linux.PROT_WRITE,
                Linux.MAP_SHARED | SpaceSyscalls.MAP_FIXED_NOREPLACE, fd, 0);
    }

    /**
     * Times {@code step} for i in [0, n) per round (ids stay unique across rounds); {@code before}
     * and {@code after} (either may be null) run untimed around it.
     */
    private static void measure(String what, int n, Step before, Step step, Step after) throws Exception {
        double wall = Double.MAX_VALUE, cpu = Double.MAX_VALUE;
        for (int round = 0; round < 6; round++) {
            long w = 0, c = 0;
            for (int i = 0; i < n; i++) {
                int id = i + round * n;
                if (before != null) before.run(id);
                long w0 = System.nanoTime(), c0 = MX.getCurrentThreadCpuTime();
                step.run(id);
                c += MX.getCurrentThreadCpuTime() - c0;
                w += System.nanoTime() - w0;
                if (after != null) after.run(id);
            }
            if (round > 0) {
                wall = Math.min(wall, w / 1e3 / n);
                cpu = Math.min(cpu, c / 1e3 / n);
            }
        }
        System.out.printf(Locale.ROOT, "%-48s %10.1f %10.1f%n", what, wall, cpu);
    }
}
