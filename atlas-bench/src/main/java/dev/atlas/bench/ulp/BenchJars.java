package dev.atlas.bench.ulp;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * Small programs the user-level process harnesses run, compiled and packed as runnable jars
 * at run time (javac of this JDK), and the statistics they report.
 *
 * <p>Thread safety: stateless.
 */
final class BenchJars {
    /** Prints {@code hello} and its arguments: the hello-world jar of the start-to-exit target. */
    static final String HELLO = """
            public class Hello {
                public static void main(String[] args) {
                    System.out.println("hello " + String.join(" ", args));
                }
            }
            """;

    /** Says it is ready, then waits for the end of its standard input: an idle program. */
    static final String IDLE = """
            public class Idle {
                public static void main(String[] args) throws Exception {
                    System.out.println("ready");
                    while (System.in.read() >= 0) { }
                }
            }
            """;

    /**
     * Two of these programs take turns with each other: each round (an {@code Object[]} from
     * the host's channel {@code pingpong-<side>}) is {@code op, turn, sides, ready, switches,
     * yields, done}; {@code parkUnpark} hands the turn back and forth with
     * {@code LockSupport.park/unpark}, {@code yield} calls {@code Thread.yield()} until both
     * have done it {@code switches} times together. With {@code coupled} the round runs in
     * {@code Ulp.coupled}, on the program's own platform thread. An empty round ends it.
     */
    static final String PING_PONG = """
            import dev.atlas.ulp.system.Ulp;
            import java.util.concurrent.CountDownLatch;
            import java.util.concurrent.TransferQueue;
            import java.util.concurrent.atomic.AtomicInteger;
            import java.util.concurrent.atomic.AtomicLong;
            import java.util.concurrent.locks.LockSupport;
            public class PingPong {
                public static void main(String[] args) throws Exception {
                    int me = Integer.parseInt(args[0]);
                    boolean coupled = args[1].equals("coupled");
                    TransferQueue<Object> rounds = Ulp.channel("pingpong-" + me);
                    for (Object[] r; (r = (Object[]) rounds.take()).length > 0; ) {
                        Object[] round = r;
                        if (coupled) {
                            Ulp.coupled(() -> { play(me, round); return null; });
                        } else {
                            play(me, round);
                        }
                    }
                }
                static void play(int me, Object[] r) throws InterruptedException {
                    AtomicInteger turn = (AtomicInteger) r[1];
                    Thread[] sides = (Thread[]) r[2];
                    CountDownLatch ready = (CountDownLatch) r[3];
                    int n = (Integer) r[4];
                    sides[me] = Thread.currentThread();
                    ready.countDown();
                    ready.await();
                    if (r[0].equals("parkUnpark")) {
                        Thread other = sides[1 - me];
                        for (int i = 0; i < n / 2; i++) {
                            while (turn.get() != me) {
                                LockSupport.park();
                            }
                            turn.set(1 - me);
                            LockSupport.unpark(other);
                        }
                    } else {
                        AtomicLong yields = (AtomicLong) r[5];
                        while (yields.getAndIncrement() < n) {
                            Thread.yield();
                        }
                    }
                    ((CountDownLatch) r[6]).countDown();
                }
            }
            """;

    private BenchJars() {
    }

    /** Compiles {@code source} (one public class {@code mainClass}) into {@code dir/<mainClass>.jar}. */
    static Path jar(Path dir, String mainClass, String source) throws IOException {
        return jar(dir, mainClass, source, null);
    }

    /** As {@link #jar(Path, String, String)}, compiled against {@code classPath} (null: none). */
    static Path jar(Path dir, String mainClass, String source, String classPath) throws IOException {
        Path src = dir.resolve("src-" + mainClass);
        Path classes = dir.resolve("classes-" + mainClass);
        Files.createDirectories(src);
        Files.createDirectories(classes);
        Path file = Files.writeString(src.resolve(mainClass + ".java"), source);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new IllegalStateException("no system Java compiler: run the harness on a JDK, not a JRE");
        }
        List<String> options = new ArrayList<>(List.of("-d", classes.toString()));
        if (classPath != null) {
            options.addAll(List.of("-cp", classPath));
        }
        options.add(file.toString());
        int rc = javac.run(null, null, null, options.toArray(String[]::new));
        if (rc != 0) {
            throw new IllegalStateException("javac failed on " + file + " with status " + rc);
        }
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().put(Attributes.Name.MAIN_CLASS, mainClass);
        Path jar = dir.resolve(mainClass + ".jar");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, mf);
             Stream<Path> files = Files.list(classes)) {
            for (Path c : files.sorted().toList()) {
                j.putNextEntry(new JarEntry(c.getFileName().toString()));
                j.write(Files.readAllBytes(c));
                j.closeEntry();
            }
        }
        return jar;
    }

    /** The {@code q}-quantile (0..1) of {@code values}, nearest rank. */
    static double quantile(List<Double> values, double q) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("no values");
        }
        List<Double> s = new ArrayList<>(values);
        Collections.sort(s);
        int i = (int) Math.ceil(q * s.size()) - 1;
        return s.get(Math.max(0, Math.min(s.size() - 1, i)));
    }

    static double median(List<Double> values) {
        return quantile(values, 0.5);
    }

    /** The resident set of process {@code pid} in KiB ({@code VmRSS} of /proc/PID/status). */
    static long rssKiB(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("no VmRSS in /proc/" + pid + "/status");
    }
}
