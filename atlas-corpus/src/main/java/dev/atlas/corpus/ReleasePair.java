package dev.atlas.corpus;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Two consecutive releases of one library: the one that runs, and the one to patch it to.
 *
 * @param group Maven group id
 * @param artifact Maven artifact id
 * @param oldVersion the release the JVM starts on
 * @param newVersion the release the patch is built to
 * @param patchedPackage the package tree the agent makes patchable ({@code org.apache.commons.text}), or several
 *                       separated by {@code ;} where the library shares a root with its dependencies (httpclient, httpcore)
 * @param cves the security fixes between the two, or empty
 * @param fast whether CI runs this pair
 */
record ReleasePair(String group, String artifact, String oldVersion, String newVersion, String patchedPackage,
                   List<String> cves, boolean fast) {
    ReleasePair {
        cves = List.copyOf(cves);
    }

    /** {@code commons-text 1.9 -> 1.10.0}. */
    String id() {
        return artifact + " " + oldVersion + " -> " + newVersion;
    }

    /** A name usable as a directory. */
    String slug() {
        return artifact + "-" + oldVersion + "-" + newVersion;
    }

    /** The corpus shipped with the harness ({@code corpus.txt}). */
    static List<ReleasePair> corpus() throws IOException {
        try (InputStream in = ReleasePair.class.getResourceAsStream("corpus.txt")) {
            if (in == null) {
                throw new IOException("corpus.txt is missing from the harness's resources");
            }
            return parse(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines().toList());
        }
    }

    static List<ReleasePair> parse(List<String> lines) {
        List<ReleasePair> pairs = new ArrayList<>();
        int n = 0;
        for (String line : lines) {
            n++;
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            String[] f = t.split("\\s+");
            if (f.length != 7) {
                throw new IllegalArgumentException("corpus line " + n + ": expected 7 columns (group artifact old new "
                        + "package CVEs|- fast|-), got " + f.length + ": '" + t + "'");
            }
            List<String> cves = f[5].equals("-") ? List.of() : List.of(f[5].split(","));
            pairs.add(new ReleasePair(f[0], f[1], f[2], f[3], f[4], cves, f[6].equals("fast")));
        }
        return pairs;
    }
}
