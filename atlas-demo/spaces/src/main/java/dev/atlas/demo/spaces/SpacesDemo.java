package dev.atlas.demo.spaces;

import dev.atlas.spaces.CurrentSpace;
import dev.atlas.spaces.SharedSpace;
import dev.atlas.spaces.SpaceDirectory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code ./atlas demo spaces}: JVMs sharing data through a space, against the usual ways, in
 * one run. (1) A server JVM owns a key-value store in a space; a client JVM looks keys up in
 * it directly, then the same keys in a Chronicle Map and over a Unix-domain socket and
 * loopback TCP to the server. (2) A two-stage pipeline: stage 1 builds a tree of millions of
 * nodes in a space; stage 2, another JVM, traverses it in place, against reading a copy
 * written with Kryo, with Java serialisation or in a hand-written binary form into objects
 * (each way in fresh JVMs, {@code --runs} rounds, the median counts; with {@code --aot}
 * each way also runs with a JDK AOT cache trained for it on a smaller tree). (3) A
 * thread switching between two spaces. Prints a table and a chart of the ratios.
 *
 * {@snippet lang=shell :
 * ./atlas demo spaces                        # defaults: 1,000,000 keys, 2,000,000 tree nodes
 * ./atlas demo spaces --keys 200000 --nodes 500000 --rpc-lookups 20000
 * ./atlas demo spaces --dir /mnt/atlas-huge            # spaces and files on a tmpfs mounted with huge=within_size
 * }
 */
public final class SpacesDemo {
    /**
     * Every pipeline JVM (both stages, every way) runs with the same flags: Kryo reads arrays
     * through sun.misc.Unsafe (allowed without warnings), and where the kernel offers
     * transparent huge pages to a process that asks ({@code enabled} is {@code always} or
     * {@code madvise}) the Java heap asks for them, so the ways that build Java objects fault
     * in their heap 2 MiB at a time, as the space's pages are on a tmpfs mounted with huge pages.
     */
    private static final List<String> PIPELINE_FLAGS = pipelineFlags();

    private static List<String> pipelineFlags() {
        List<String> flags = new ArrayList<>(List.of("--sun-misc-unsafe-memory-access=allow"));
        if (!sysfs("/sys/kernel/mm/transparent_hugepage/enabled").contains("[never]")
                && !sysfs("/sys/kernel/mm/transparent_hugepage/enabled").isEmpty()) {
            flags.add("-XX:+UseTransparentHugePages");
        }
        return List.copyOf(flags);
    }

    private static String sysfs(String file) {
        try {
            return Files.readString(Path.of(file)).trim();
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * What this machine allows for huge pages, as the demo prints it: THP for processes,
     * for the kernel's internal shared memory, and the mount options of the file system that
     * holds {@code dir} (a tmpfs maps a file's pages 2 MiB at a time only with {@code huge=}).
     */
    static String hugePages(Path dir) {
        String mount = "?", type = "?", options = "";
        try {
            String real = dir.toRealPath().toString();
            for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
                String[] f = line.split(" ");
                if (f.length < 4) continue;
                String point = f[1].replace("\\040", " ");
                boolean under = real.equals(point) || real.startsWith(point.endsWith("/") ? point : point + "/");
                if (under && point.length() >= (mount.equals("?") ? 0 : mount.length())) {
                    mount = point;
                    type = f[2];
                    options = f[3];
                }
            }
        } catch (IOException e) {
            return "huge pages: unknown (" + e.getMessage() + ")";
        }
        String huge = "none";
        for (String o : options.split(",")) if (o.startsWith("huge=")) huge = o.substring(5);
        return "huge pages: THP " + sysfs("/sys/kernel/mm/transparent_hugepage/enabled") + ", shmem "
                + sysfs("/sys/kernel/mm/transparent_hugepage/shmem_enabled") + "; " + dir + " is on " + type + " " + mount
                + " (huge=" + huge + ")" + (PIPELINE_FLAGS.contains("-XX:+UseTransparentHugePages")
                ? "; pipeline JVMs run with -XX:+UseTransparentHugePages" : "");
    }

    private SpacesDemo() {}

    public static void main(String[] args) throws Exception {
        Map<String, Integer> opt;
        Path parent;
        try {
            List<String> rest = new ArrayList<>(List.of(args));
            parent = dirOption(rest);
            opt = parse(rest.toArray(new String[0]));
        } catch (IllegalArgumentException e) {
            System.err.println("atlas demo spaces: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (opt == null) return;
        int keys = opt.get("--keys"), nodes = opt.get("--nodes");
        Path dir = Files.createTempDirectory(parent, "atlas-spaces-demo-");
        try {
            run(SpaceDirectory.at(dir), dir, keys, nodes, opt.get("--lookups"), opt.get("--rpc-lookups"), opt.get("--runs"),
                    opt.get("--aot") == 1);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    private static void run(SpaceDirectory spaces, Path dir, int keys, int nodes, int lookups, int rpcLookups, int runs,
                            boolean aot) throws IOException {
        String d = dir.toString();
        System.out.printf(Locale.ROOT, "spaces in %s; %,d keys, %,d lookups in the space, %,d over each RPC%n", d, keys,
                lookups, rpcLookups);
        Map<String, Double> kv = new LinkedHashMap<>();
        try (ChildJvm server = ChildJvm.start(ChildJvm.CHRONICLE_FLAGS, KvServer.class, d, "kv", Integer.toString(keys),
                d + "/kv.sock")) {
            String port = server.expect("ready")[1];
            try (ChildJvm client = ChildJvm.start(ChildJvm.CHRONICLE_FLAGS, KvClient.class, d, "kv", Integer.toString(keys),
                    d + "/kv.sock", port, Integer.toString(lookups), Integer.toString(rpcLookups))) {
                for (int i = 0; i < 4; i++) {
                    String[] r = client.expect("result");
                    kv.put(r[1], Double.parseDouble(r[2]));
                }
            }
        }
        System.out.printf(Locale.ROOT, "pipeline: %,d tree nodes; %s%n", nodes, hugePages(dir));
        String[] built;
        try (ChildJvm stage1 = ChildJvm.start(PIPELINE_FLAGS, TreePipeline.class, "build", d, "tree", Integer.toString(nodes), d)) {
            built = stage1.expect("built");
        }
        List<String> ways = new ArrayList<>(List.of(TreePipeline.WAYS));
        if (aot) {
            ways.addAll(trainAotCaches(dir, nodes));
        }
        // each way in a fresh JVM, the ways taking turns, `runs` rounds; the median run of each way counts
        Map<String, List<String[]>> stage2 = new LinkedHashMap<>();
        for (int round = 0; round < runs; round++) {
            for (String way : ways) {
                String[] r;
                List<String> flags = new ArrayList<>(PIPELINE_FLAGS);
                String role = way;
                if (way.endsWith(AOT)) {
                    role = way.substring(0, way.length() - AOT.length());
                    flags.add("-XX:AOTCache=" + aotCache(dir, role));
                }
                try (ChildJvm jvm = ChildJvm.start(flags, TreePipeline.class, role, d, "tree", "0", d)) {
                    r = jvm.expect("result");
                }
                if (!r[2].equals(built[1]) || !r[3].equals(stage2.isEmpty() ? r[3] : stage2.get("space").getFirst()[3])) {
                    throw new IllegalStateException("stage 2 (" + way + ") saw a different tree: " + r[2] + " nodes (sum "
                            + r[3] + "), built " + built[1]);
                }
                stage2.computeIfAbsent(way, w -> new ArrayList<>()).add(r);
            }
        }
        Map<String, String[]> median = new LinkedHashMap<>();
        stage2.forEach((way, rs) -> median.put(way, rs.stream().sorted(Comparator.comparingLong(r -> Long.parseLong(r[4])))
                .toList().get(rs.size() / 2)));
        spaces.delete("tree", true);
        double[] sw = switching(spaces);

        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"key lookup, client JVM (ns)", f(kv.get("space")), "Unix socket RPC " + f(kv.get("uds")),
                ratio(kv.get("uds"), kv.get("space")), ">= 20x"});
        rows.add(new String[] {"key lookup, client JVM (ns)", f(kv.get("space")), "loopback TCP RPC " + f(kv.get("tcp")),
                ratio(kv.get("tcp"), kv.get("space")), ">= 20x"});
        rows.add(new String[] {"key lookup, client JVM (ns)", f(kv.get("space")), "Chronicle Map " + f(kv.get("chronicle")),
                ratio(kv.get("chronicle"), kv.get("space")), ">= 1x"});
        double inMs = ms(median.get("space")[4]);
        String[][] baselines = {{"kryo", "Kryo"}, {"java", "Java serialisation"}, {"binary", "hand-written binary"}};
        for (String[] b : baselines) {
            double deMs = ms(median.get(b[0])[4]);
            rows.add(new String[] {"stage 2 first traversal (ms)", f(inMs), b[1] + " " + f(deMs), ratio(deMs, inMs),
                    b[0].equals("kryo") ? ">= 10x" : "-"});
        }
        if (aot) {
            double aotMs = ms(median.get("space" + AOT)[4]);
            for (String[] b : baselines) {
                double deMs = ms(median.get(b[0] + AOT)[4]);
                rows.add(new String[] {"  same, both with an AOT cache (ms)", f(aotMs), b[1] + " " + f(deMs), ratio(deMs, aotMs),
                        b[0].equals("kryo") ? ">= 10x" : "-"});
            }
        }
        rows.add(new String[] {"thread switch between spaces (ns)", f(sw[0]), "(target <= 100 ns)", "-", "<= 100 ns"});
        System.out.println();
        System.out.printf("%-36s %12s  %-28s %9s  %s%n", "measure", "space", "baseline", "ratio", "target");
        for (String[] r : rows) System.out.printf("%-36s %12s  %-28s %9s  %s%n", (Object[]) r);
        System.out.printf(Locale.ROOT, "(stage 1 built the tree in %.0f ms, then wrote it with Kryo (%,d bytes), Java"
                + " serialisation (%,d bytes) and the binary form (%,d bytes) in %.0f ms; switch measured over %,.0f"
                + " switches)%n", ms(built[2]), Long.parseLong(built[4]), Long.parseLong(built[5]), Long.parseLong(built[6]),
                ms(built[3]), sw[1]);
        List<String> parts = new ArrayList<>();
        median.forEach((way, r) -> parts.add(String.format(Locale.ROOT, "%s %s %.1f ms + traversal %.1f ms", way,
                way.startsWith("space") ? "attach" : "read", ms(r[5]), ms(r[6]))));
        System.out.printf(Locale.ROOT, "(stage 2, median of %d fresh JVMs per way: %s)%n", runs, String.join("; ", parts));
        System.out.println();
        System.out.println("speed-up of the space over the baseline (each # = 2x):");
        bar("lookup vs Unix socket", kv.get("uds") / kv.get("space"));
        bar("lookup vs TCP", kv.get("tcp") / kv.get("space"));
        bar("lookup vs Chronicle Map", kv.get("chronicle") / kv.get("space"));
        bar("pipeline vs Kryo", ms(median.get("kryo")[4]) / inMs);
    }

    /** Suffix of a way run with its AOT cache. */
    private static final String AOT = "+aot";

    static Path aotCache(Path dir, String way) {
        return dir.resolve("stage2-" + way + ".aot");
    }

    /**
     * Trains one JDK AOT cache ({@code -XX:AOTCacheOutput}, JEP 483/514/515: classes loaded
     * and linked, method profiles) per stage-2 way, each on its own run over a smaller tree (a
     * tenth of the nodes, in another directory) rather than on the tree that is measured.
     *
     * @return the ways to run with their caches
     */
    private static List<String> trainAotCaches(Path dir, int nodes) throws IOException {
        Path train = Files.createDirectories(dir.resolve("train"));
        String t = train.toString();
        int n = Math.max(1000, nodes / 10);
        try (ChildJvm stage1 = ChildJvm.start(PIPELINE_FLAGS, TreePipeline.class, "build", t, "tree", Integer.toString(n), t)) {
            stage1.expect("built");
        }
        List<String> ways = new ArrayList<>();
        for (String way : TreePipeline.WAYS) {
            List<String> flags = new ArrayList<>(PIPELINE_FLAGS);
            flags.add("-XX:AOTCacheOutput=" + aotCache(dir, way));
            try (ChildJvm jvm = ChildJvm.start(flags, TreePipeline.class, way, t, "tree", "0", t)) {
                jvm.expect("result");
            }   // closing waits for the exit, after which the JVM writes the cache
            if (!Files.isRegularFile(aotCache(dir, way))) {
                throw new IllegalStateException("the JVM wrote no AOT cache " + aotCache(dir, way)
                        + " (an AOT cache needs a class path of jar files: run the demo from its jar)");
            }
            ways.add(way + AOT);
        }
        SpaceDirectory.at(train).delete("tree", true);
        System.out.printf(Locale.ROOT, "AOT caches trained on a %,d-node tree%n", n);
        return ways;
    }

    /** ns per switch between two spaces (over the same loop without switching), and the number of switches. */
    private static double[] switching(SpaceDirectory spaces) {
        try (SharedSpace a = spaces.create("switch-a", 1 << 20, 0600);
             SharedSpace b = spaces.create("switch-b", 1 << 20, 0600)) {
            SharedSpace[] both = {a, b};
            long[] sink = new long[1];
            Runnable body = () -> sink[0] += CurrentSpace.get().segment().address();
            int n = 5_000_000;
            double best = Double.MAX_VALUE;
            for (int round = 0; round < 5; round++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) CurrentSpace.run(both[i & 1], body);
                long t1 = System.nanoTime();
                for (int i = 0; i < n; i++) sink[0] += both[i & 1].segment().address();
                long t2 = System.nanoTime();
                best = Math.min(best, ((t1 - t0) - (t2 - t1)) / (double) n);
            }
            if (sink[0] == 42) System.out.print("");   // keep the loops' results alive
            spaces.delete("switch-a", true);
            spaces.delete("switch-b", true);
            return new double[] {Math.max(0, best), n};
        }
    }

    private static double ms(String nanos) {
        return Long.parseLong(nanos) / 1e6;
    }

    private static void bar(String label, double ratio) {
        int n = (int) Math.max(1, Math.round(ratio / 2));
        System.out.printf(Locale.ROOT, "  %-22s %s %.1fx%n", label, "#".repeat(Math.min(n, 120)), ratio);
    }

    private static String f(double v) {
        return v >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String ratio(double baseline, double space) {
        return String.format(Locale.ROOT, "%.1fx", baseline / space);
    }

    /**
     * Removes {@code --dir DIRECTORY} from {@code args} (the one option that is not a number)
     * and returns that directory, or a default: {@code /dev/shm}, else {@code /tmp}.
     *
     * @throws IllegalArgumentException naming the value if it is missing or not a directory
     */
    static Path dirOption(List<String> args) {
        int at = args.indexOf("--dir");
        if (at < 0) return Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm") : Path.of("/tmp");
        if (at + 1 >= args.size()) throw new IllegalArgumentException("option --dir needs a directory");
        Path dir = Path.of(args.get(at + 1));
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--dir '" + dir + "' is not a directory: expected an existing"
                    + " directory (a tmpfs, e.g. one mounted with huge=within_size)");
        }
        args.subList(at, at + 2).clear();
        return dir;
    }

    /** The options with defaults; null after printing help. */
    static Map<String, Integer> parse(String[] args) {
        Map<String, Integer> opt = new LinkedHashMap<>();
        opt.put("--keys", 1_000_000);
        opt.put("--nodes", 2_000_000);
        opt.put("--lookups", 2_000_000);
        opt.put("--rpc-lookups", 50_000);
        opt.put("--runs", 3);
        opt.put("--aot", 0);
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--aot")) {   // a flag, no value
                opt.put("--aot", 1);
                continue;
            }
            if (args[i].equals("--help") || args[i].equals("-h")) {
                System.out.println("usage: atlas demo spaces [--keys N] [--nodes N] [--lookups N] [--rpc-lookups N] [--runs N] [--aot]"
                        + " [--dir DIRECTORY]"
                        + "  (defaults " + opt + ")");
                return null;
            }
            if (!opt.containsKey(args[i])) {
                throw new IllegalArgumentException("unknown option '" + args[i] + "': expected one of " + opt.keySet());
            }
            if (i + 1 >= args.length) throw new IllegalArgumentException("option " + args[i] + " needs a number");
            int v;
            try {
                v = Integer.parseInt(args[i + 1].replace("_", ""));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(args[i] + " '" + args[i + 1] + "' is not a number", e);
            }
            if (v < 1 || v > 50_000_000) {
                throw new IllegalArgumentException(args[i] + " " + v + " must be between 1 and 50,000,000");
            }
            opt.put(args[i], v);
            i++;
        }
        if (opt.get("--rpc-lookups") > opt.get("--lookups")) {
            throw new IllegalArgumentException("--rpc-lookups " + opt.get("--rpc-lookups") + " must not exceed --lookups "
                    + opt.get("--lookups"));
        }
        return opt;
    }
}
