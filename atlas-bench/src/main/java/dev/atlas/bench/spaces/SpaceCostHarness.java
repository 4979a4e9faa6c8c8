package dev.atlas.bench.spaces;

import dev.atlas.memory.linux.Linux;
import dev.atlas.spaces.AttachOptions;
import dev.atlas.spaces.SharedSpace;
import dev.atlas.spaces.SpaceDirectory;
import dev.atlas.spaces.format.SpaceHeader;
import dev.atlas.spaces.heap.SharedHeap;
import dev.atlas.spaces.sys.SpaceSyscalls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
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
 * <p>Create and its baselines are measured twice: after a short warm-up (4 x ROUNDS creates),
 * when {@code SpaceDirectory.create} still runs as C1 code with full profiling (the JIT's
 * tier 3, as in a JVM's first few thousand creates), and after WARMUP more calls of each
 * (default 15,000), by which C2 has compiled it ({@code -XX:+PrintCompilation} shows when).
 *
 * {@snippet lang=shell :
 * java --enable-native-access=ALL-UNNAMED -cp atlas-bench/target/atlas-bench.jar dev.atlas.bench.spaces.SpaceCostHarness [ROUNDS [WARMUP]]
 * }
 */
public final class SpaceCostHarness {
    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();
    private static final long CAPACITY = 1L << 30;
    /**
     * The system calls {@code SpaceDirectory.create} makes when the umask removes none of the
     * mode's bits (as {@code strace -f} shows): open, one pwrite of the header and the heap's
     * header, ftruncate, one mmap of the whole file, the magic's pwrite. (The file stays open
     * for the creator's attachment; its detach closes it.)
     */
    private static final int CREATE_CALLS = 5;
    /** The space file's header ({@code SpaceHeader.BYTES}); the heap's header follows it in create's first pwrite. */
    private static final long HEADER = SpaceHeader.BYTES;

    private SpaceCostHarness() {}

    @FunctionalInterface
    interface Step {
        void run(int i) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 15_000;
        Path tmp = Files.createTempDirectory(Path.of("/dev/shm"), "atlas-space-cost-");
        try {
            run(SpaceDirectory.at(tmp), tmp, n, warmup);
        } finally {
            try (Stream<Path> s = Files.walk(tmp)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    @SuppressWarnings("restricted")   // reinterpret: the mapping the baseline made, to unmap it
    private static void run(SpaceDirectory dir, Path tmp, int n, int warmup) throws Exception {
        System.out.printf(Locale.ROOT, "%-58s %10s %10s%n", "operation (1 GiB segment)", "wall us", "cpu us");
        SharedSpace[] held = new SharedSpace[1];
        long[] sizes = {64L << 20, CAPACITY, 16L << 30};   // size independence
        for (int i = 0; i < 4 * n; i++) {   // warm-up, untimed: otherwise the first size measured pays for the JIT
            dir.create("w" + i, sizes[i % 3], 0600).close();
            dir.delete("w" + i, true);
        }
        // create at three sizes and two baselines, taking turns in every round: on a machine whose load changes
        // from second to second, the ratios between them are read from the same rounds
        List<Variant> together = new ArrayList<>();
        for (long size : sizes) {
            String prefix = "c" + (size >> 20) + "-";
            together.add(new Variant("create + attach (read-write), " + (size >> 20) + " MiB", null,
                    i -> held[0] = dir.create(prefix + i, size, 0600), i -> {
                        held[0].close();
                        dir.delete(prefix + i, true);
                    }));
        }
        // the baselines: the calls create is made of, from here, and this VM's cost of a trivial system call
        // a new name each time, as create's (a name used before would find its dentry cached)
        String[] file = new String[1];
        MemorySegment[] maps = new MemorySegment[1];
        int[] fds = new int[1];
        try (Arena images = Arena.ofConfined()) {
            MemorySegment image = images.allocate(HEADER + SharedHeap.headerBytes(), 8);
            MemorySegment magic = images.allocate(8, 8);
            together.add(new Variant("baseline: create's " + CREATE_CALLS + " system calls alone, 1024 MiB",
                    i -> file[0] = tmp.resolve("s" + i).toString(), i -> {
                // through the same wrappers as create (SpaceSyscalls: no arena, no native allocation per call)
                int fd = SpaceSyscalls.createExclusive(file[0], 0600);
                SpaceSyscalls.pwriteFully(fd, image, 0);
                SpaceSyscalls.ftruncate(fd, HEADER + CAPACITY);
                maps[0] = MemorySegment.ofAddress(mapFixedAddress(fd, HEADER + CAPACITY, i));
                SpaceSyscalls.pwriteFully(fd, magic, 0);
                fds[0] = fd;
            }, i -> {
                Linux.close(fds[0]);   // as create: the file stays open until the detach
                Linux.munmap(maps[0].reinterpret(HEADER + CAPACITY));
                Files.delete(Path.of(file[0]));
            }));
            together.add(new Variant("baseline: " + CREATE_CALLS + " x kill(1, 0) (a trivial system call)", null, i -> {
                for (int k = 0; k < CREATE_CALLS; k++) SpaceSyscalls.isAlive(1);
            }, null));
            // what reading the thread's CPU time twice costs (each read is a system call): in every figure above
            together.add(new Variant("baseline: an empty timed interval (the timer's own cost)", null, i -> { }, null));
            System.out.printf(Locale.ROOT, "-- after a warm-up of %d creates (early in a JVM: create not C2-compiled yet, -XX:+PrintCompilation shows)%n", 4 * n);
            printRatios(measureTogether(n, together));
            for (int i = 0; i < warmup; i++) {   // untimed: until C2 has compiled create and the baselines
                for (Variant x : together) {
                    int id = 1_000_000 + i;
                    if (x.before() != null) x.before().run(id);
                    x.step().run(id);
                    if (x.after() != null) x.after().run(id);
                }
            }
            System.out.printf(Locale.ROOT, "-- after %d more calls of each (steady state: create C2-compiled by then, -XX:+PrintCompilation shows)%n", warmup);
            printRatios(measureTogether(n, together));
        }
        // create writes the file's first bytes with pwrite and touches no page of its mapping: the first access pays
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
        measure("open(O_CREAT|O_EXCL) + close + unlink", n, null, i -> {
            Linux.close(SpaceSyscalls.createExclusive(f, 0600));
            Files.delete(Path.of(f));
        }, null);
        int fd = SpaceSyscalls.createExclusive(f, 0600);
        try {
            Linux.ftruncate(fd, CAPACITY);
            measure("ftruncate", n, null, i -> Linux.ftruncate(fd, CAPACITY), null);
            try (Arena images = Arena.ofConfined()) {
                MemorySegment image = images.allocate(HEADER + SharedHeap.headerBytes(), 8);
                measure("pwrite 12.3 KiB (header and heap header) at offset 0", n, null,
                        i -> SpaceSyscalls.pwriteFully(fd, image, 0), null);
            }
            measure("mmap 1 GiB MAP_SHARED + munmap", n, null, i -> Linux.munmap(Linux.mmap(MemorySegment.NULL, CAPACITY,
                    Linux.PROT_READ | Linux.PROT_WRITE, Linux.MAP_SHARED, fd, 0)), null);
            // what create does with its segment: a fixed address in [32 TiB, 96 TiB), 1 GiB-aligned (new page-table
            // pages there), then the heap header written (the first write allocates a tmpfs page: a fresh one each time)
            measure("mmap 1 GiB at a new fixed address + munmap", n, null, i -> Linux.munmap(mapFixed(fd, CAPACITY, i)), null);
            measure("  + first write to a new page of the file", n, null, i -> {
                MemorySegment m = mapFixed(fd, CAPACITY, i);
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

    /** The ratios between the CPU figures {@link #measureTogether} returned for create's variants. */
    private static void printRatios(double[] cpu) {
        System.out.printf(Locale.ROOT, "create + attach, 1024 MiB (CPU): %.2fx its system calls alone, %.2fx %d trivial"
                + " system calls; 64 MiB / 16 GiB: %.2fx / %.2fx the 1024 MiB figure%n", cpu[1] / cpu[3],
                cpu[1] / cpu[4], CREATE_CALLS, cpu[0] / cpu[1], cpu[2] / cpu[1]);
        System.out.printf(Locale.ROOT, "net of the timer (CPU): create + attach, 1024 MiB %.1f us; its %d system calls"
                + " alone %.1f us; %d x kill(1, 0) %.1f us%n", cpu[1] - cpu[5], CREATE_CALLS, cpu[3] - cpu[5],
                CREATE_CALLS, cpu[4] - cpu[5]);
    }

    /**
     * A mapping of {@code size} bytes of {@code fd} at a 1 GiB-aligned fixed address that
     * differs for each {@code i}, as create chooses one (and, as create, another one if that
     * range is taken: the range create chooses from also holds the executable and its heap).
     */
    private static MemorySegment mapFixed(int fd, long size, int i) {
        for (long k = 0; ; k++) {
            long base = 0x2000_0000_0000L + ((((i + k * 7919) * 0x9E37_79B9L) & 0xFFFF_FFFFL) % 0xFFFF) * (1L << 30);
            try {
                return Linux.mmap(MemorySegment.ofAddress(base), size, Linux.PROT_READ | Linux.PROT_WRITE,
                        Linux.MAP_SHARED | SpaceSyscalls.MAP_FIXED_NOREPLACE, fd, 0);
            } catch (dev.atlas.libc.LinuxException e) {
                if (e.errno() != dev.atlas.libc.Errno.EEXIST || k > 16) throw e;
            }
        }
    }

    /** {@link #mapFixed} through {@code SpaceSyscalls.mmap}, as create maps: the address. */
    private static long mapFixedAddress(int fd, long size, int i) {
        for (long k = 0; ; k++) {
            long base = 0x2000_0000_0000L + ((((i + k * 7919) * 0x9E37_79B9L) & 0xFFFF_FFFFL) % 0xFFFF) * (1L << 30);
            try {
                return SpaceSyscalls.mmap(base, size, Linux.PROT_READ | Linux.PROT_WRITE,
                        Linux.MAP_SHARED | SpaceSyscalls.MAP_FIXED_NOREPLACE, fd);
            } catch (dev.atlas.libc.LinuxException e) {
                if (e.errno() != dev.atlas.libc.Errno.EEXIST || k > 16) throw e;
            }
        }
    }

    /** A step timed with others in the same rounds; {@code before} and {@code after} may be null. */
    record Variant(String what, Step before, Step step, Step after) {}

    /**
     * Like {@link #measure}, but the variants take turns within every round (n of one, then n
     * of the next), so that each variant's best round comes from the same stretch of time.
     *
     * @return the CPU microseconds per operation of each variant (its best round)
     */
    private static double[] measureTogether(int n, List<Variant> variants) throws Exception {
        double[] wall = new double[variants.size()], cpu = new double[variants.size()];
        java.util.Arrays.fill(wall, Double.MAX_VALUE);
        java.util.Arrays.fill(cpu, Double.MAX_VALUE);
        for (int round = 0; round < 6; round++) {
            for (int v = 0; v < variants.size(); v++) {
                Variant x = variants.get(v);
                long w = 0, c = 0;
                for (int i = 0; i < n; i++) {
                    int id = i + round * n;
                    if (x.before() != null) x.before().run(id);
                    long w0 = System.nanoTime(), c0 = MX.getCurrentThreadCpuTime();
                    x.step().run(id);
                    c += MX.getCurrentThreadCpuTime() - c0;
                    w += System.nanoTime() - w0;
                    if (x.after() != null) x.after().run(id);
                }
                if (round > 0) {
                    wall[v] = Math.min(wall[v], w / 1e3 / n);
                    cpu[v] = Math.min(cpu[v], c / 1e3 / n);
                }
            }
        }
        for (int v = 0; v < variants.size(); v++) {
            System.out.printf(Locale.ROOT, "%-58s %10.1f %10.1f%n", variants.get(v).what(), wall[v], cpu[v]);
        }
        return cpu;
    }

    /**
     * Times {@code step} for i in [0, n) per round (ids stay unique across rounds); {@code before}
     * and {@code after} (either may be null) run untimed around it.
     *
     * @return the CPU microseconds per operation (best round)
     */
    private static double measure(String what, int n, Step before, Step step, Step after) throws Exception {
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
        System.out.printf(Locale.ROOT, "%-58s %10.1f %10.1f%n", what, wall, cpu);
        return cpu;
    }
}
