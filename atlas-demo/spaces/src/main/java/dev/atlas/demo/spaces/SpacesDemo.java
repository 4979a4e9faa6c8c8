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
 * it directly, then the same keys over a Unix-domain socket and loopback TCP to the server.
 * (2) A two-stage pipeline: stage 1 builds a tree of millions of nodes in a space; stage 2,
 * another JVM, traverses it in place, against reading a serialised copy into objects. (3) A
 * thread switching between two spaces. Prints a table and a chart of the ratios.
 *
 * {@snippet lang=shell :
 * ./atlas demo spaces                        # defaults: 1,000,000 keys, 2,000,000 tree nodes
 * ./atlas demo spaces --keys 200000 --nodes 500000 --rpc-lookups 20000
 * }
 */
public final class SpacesDemo {
    private SpacesDemo() {}

    public static void main(String[] args) throws Exception {
        Map<String, Integer> opt;
        try {
            opt = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("atlas demo spaces: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (opt == null) return;
        int keys = opt.get("--keys"), nodes = opt.get("--nodes");
        Path dir = Files.createTempDirectory(Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm") : Path.of("/tmp"),
                "atlas-spaces-demo-");
        try {
            run(SpaceDirectory.at(dir), dir, keys, nodes, opt.get("--lookups"), opt.get("--rpc-lookups"));
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    private static void run(SpaceDirectory spaces, Path dir, int keys, int nodes, int lookups, int rpcLookups)
            throws IOException {
        String d = dir.toString();
        System.out.printf(Locale.ROOT, "spaces in %s; %,d keys, %,d lookups in the space, %,d over each RPC%n", d, keys,
                lookups, rpcLookups);
        Map<String, Double> kv = new LinkedHashMap<>();
        try (ChildJvm server = ChildJvm.start(KvServer.class, d, "kv", Integer.toString(keys), d + "/kv.sock")) {
            String port = server.expect("ready")[1];
            try (ChildJvm client = ChildJvm.start(KvClient.class, d, "kv", Integer.toString(keys), d + "/kv.sock", port,
                    Integer.toString(lookups), Integer.toString(rpcLookups))) {
                for (int i = 0; i < 3; i++) {
                    String[] r = client.expect("result");
                    kv.put(r[1], Double.parseDouble(r[2]));
                }
            }
        }
        System.out.printf(Locale.ROOT, "pipeline: %,d tree nodes%n", nodes);
        String file = d + "/tree.bin";
        String[] built;
        try (ChildJvm stage1 = ChildJvm.start(TreePipeline.class, "build", d, "tree", Integer.toString(nodes), file)) {
            built = stage1.expect("built");
        }
        String[] inPlace, deser;
        try (ChildJvm stage2 = ChildJvm.start(TreePipeline.class, "space", d, "tree", "0", file)) {
            inPlace = stage2.expect("result");
        }
        try (ChildJvm stage2 = ChildJvm.start(TreePipeline.class, "file", d, "tree", "0", file)) {
            deser = stage2.expect("result");
        }
        if (!inPlace[2].equals(deser[2]) || !inPlace[3].equals(deser[3]) || !inPlace[2].equals(built[1])) {
            throw new IllegalStateException("stage 2 saw different trees: in place " + inPlace[2] + " nodes (sum " + inPlace[3]
                    + "), deserialised " + deser[2] + " (sum " + deser[3] + "), built " + built[1]);
        }
        spaces.delete("tree", true);
        double[] sw = switching(spaces);

        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"key lookup, client JVM (ns)", f(kv.get("space")), "Unix socket RPC " + f(kv.get("uds")),
                ratio(kv.get("uds"), kv.get("space")), ">= 20x"});
        rows.add(new String[] {"key lookup, client JVM (ns)", f(kv.get("space")), "loopback TCP RPC " + f(kv.get("tcp")),
                ratio(kv.get("tcp"), kv.get("space")), ">= 20x"});
        double inMs = Long.parseLong(inPlace[4]) / 1e6, deMs = Long.parseLong(deser[4]) / 1e6;
        rows.add(new String[] {"stage 2 first traversal (ms)", f(inMs), "deserialise " + f(deMs), ratio(deMs, inMs), ">= 10x"});
        rows.add(new String[] {"thread switch between spaces (ns)", f(sw[0]), "(target <= 100 ns)", "-", "<= 100 ns"});
        System.out.println();
        System.out.printf("%-36s %12s  %-28s %9s  %s%n", "measure", "space", "baseline", "ratio", "target");
        for (String[] r : rows) System.out.printf("%-36s %12s  %-28s %9s  %s%n", (Object[]) r);
        System.out.printf(Locale.ROOT, "(stage 1 built the tree in %.0f ms and serialised it to %,d bytes in %.0f ms; "
                + "switch measured over %,.0f switches)%n", Long.parseLong(built[2]) / 1e6, Long.parseLong(built[4]),
                Long.parseLong(built[3]) / 1e6, sw[1]);
        System.out.printf(Locale.ROOT, "(stage 2 in place: attach %.1f ms + traversal %.1f ms; deserialised: read %.1f ms"
                + " + traversal %.1f ms)%n", Long.parseLong(inPlace[5]) / 1e6, Long.parseLong(inPlace[6]) / 1e6,
                Long.parseLong(deser[5]) / 1e6, Long.parseLong(deser[6]) / 1e6);
        System.out.println();
        System.out.println("speed-up of the space over the baseline (each # = 2x):");
        bar("lookup vs Unix socket", kv.get("uds") / kv.get("space"));
        bar("lookup vs TCP", kv.get("tcp") / kv.get("space"));
        bar("pipeline stage 2", deMs / inMs);
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

    /** The options with defaults; null after printing help. */
    static Map<String, Integer> parse(String[] args) {
        Map<String, Integer> opt = new LinkedHashMap<>();
        opt.put("--keys", 1_000_000);
        opt.put("--nodes", 2_000_000);
        opt.put("--lookups", 2_000_000);
        opt.put("--rpc-lookups", 50_000);
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--help") || args[i].equals("-h")) {
                System.out.println("usage: atlas demo spaces [--keys N] [--nodes N] [--lookups N] [--rpc-lookups N]"
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
