package dev.atlas.corpus.child;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs a release's own test suite inside the JVM whose library is being patched: the
 * child process of the release corpus, started as {@code SuiteRunner <port> <token>}. It
 * connects to the harness on the loopback address at {@code port}, sends
 * {@code @@atlas-corpus ready <token>}, and reads commands from that connection, one a line,
 * fields separated by tabs:
 *
 * {@snippet lang=text :
 * run <label> <results file> <test jars, path-separated> <extra jars, path-separated or -> [<class regex>]
 * exit
 * }
 *
 * <p>Each {@code run} runs the test classes of the given jars (top-level classes matching
 * Maven Surefire's default includes and, when the system property {@value #TESTS_PROPERTY}
 * is set, that regular expression too, and the command's class regex when given), one
 * launcher request per class, on a thread started for that run (so that no thread-local a
 * suite leaves reaches the next; the system properties are set back to what they were before
 * the run when it ends), and writes one line per test and per failed container:
 * {@code OUTCOME<tab>key}, the key being the unique id, or for an invocation of a
 * parameterised test its arguments, with identity hashes numbered ({@link Keys#of}). When done
 * it sends {@code @@atlas-corpus done <label> <passed> <failed> <aborted> <skipped> <ms>} on the
 * connection (and a copy of each status line to standard output, for the log).
 *
 * <p>The harness's channel is a connection of its own, not standard input and output: a suite
 * may close {@code System.out} or {@code System.in} (commons-csv 1.9.0's suite closes
 * {@code System.out}, which, the JDK putting {@code /dev/null} in place of a closed standard
 * descriptor, ended the harness's pipe), and the tests do not know of the connection. Standard
 * input is at its end from the start.
 *
 * <p>Where the test classes come from matters: a test in the library's package that uses a
 * package-private or protected member must be defined by the library's own class loader (the
 * runtime package is the package name and the defining loader). Both suites therefore run in
 * the application class loader, beside the library. The suite that judges (the new release's
 * tests) is on the JVM's class path as it is. A suite whose jars are not on the class path
 * (the old release's tests, run first to exercise the library, whose class names the new
 * release's tests also use) is renamed within its packages ({@link RenamedSuite}:
 * {@code p.FooTest} becomes {@code p.FooTest_AtlasRun1}) into a class-path directory
 * ({@link #SUITE_CLASSES_PROPERTY}), from which the application class loader loads it by name
 * as any class, and its class names are renamed in the working directory's copies of its text
 * resources; its outcomes are recorded under the release's own names. It resolves what it uses
 * that is not its own through the class path, as the judging suite does (where both releases'
 * tests use a library, the new release's version of it).
 *
 * <p>Implementation notes: one request per class, so a class that cannot be discovered fails
 * alone (older JUnit versions abort the whole discovery). One run at a time: the main thread
 * reads the commands and waits for each run's thread; the launcher itself may run tests on
 * other threads if a suite asks for parallel execution (the listener's maps are concurrent).
 */
public final class SuiteRunner {
    /** The prefix of the line that ends a run, on the harness's channel. */
    public static final String DONE = "@@atlas-corpus done";
    /** The first line on the harness's channel, followed by the token the runner was started with. */
    public static final String READY = "@@atlas-corpus ready";
    /** System property: a regular expression the test class names must also match (the CI subset). */
    public static final String TESTS_PROPERTY = "atlas.corpus.tests";
    /**
     * System property: the class-path directory a suite whose jars are not on the class path is
     * renamed into; by default {@code target/test-classes} in the working directory.
     */
    public static final String SUITE_CLASSES_PROPERTY = "atlas.corpus.suiteClasses";
    private static final String SUREFIRE_INCLUDES = "^(.*\\.)?(Test[^.$]*|[^.$]*Test|[^.$]*Tests|[^.$]*TestCase)$";

    private SuiteRunner() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2 || !args[0].matches("\\d{1,5}")) {
            System.err.println("usage: SuiteRunner <harness port> <token> (the harness's channel on the loopback address)");
            System.exit(2);
        }
        PrintStream log = System.out;   // a copy of the status lines for the log, while the suites leave it open
        try (Socket channel = new Socket(InetAddress.getLoopbackAddress(), Integer.parseInt(args[0]))) {
            BufferedReader in = new BufferedReader(new InputStreamReader(channel.getInputStream(), StandardCharsets.UTF_8));
            Writer out = new BufferedWriter(new OutputStreamWriter(channel.getOutputStream(), StandardCharsets.UTF_8));
            status(out, log, READY + " " + args[1]);
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                String[] f = line.split("\t", -1);
                if (f[0].equals("exit")) {
                    break;
                }
                if (!f[0].equals("run") || f.length < 5 || f.length > 6) {
                    status(out, log, "@@atlas-corpus error unknown command: " + line);
                    continue;
                }
                String summary = onItsOwnThread(f[1], paths(f[3]), paths(f[4]), Path.of(f[2]), f.length == 6 ? f[5] : null);
                status(out, log, DONE + " " + f[1] + " " + summary);
            }
        }
        System.exit(0);
    }

    /** Sends a status line to the harness, and a copy to the log (lost if a suite closed {@code System.out}). */
    private static void status(Writer channel, PrintStream log, String line) throws IOException {
        channel.write(line + "\n");
        channel.flush();
        log.println(line);
        log.flush();
    }

    private static List<Path> paths(String list) {
        List<Path> result = new ArrayList<>();
        if (!list.equals("-")) {
            for (String p : list.split(java.util.regex.Pattern.quote(java.io.File.pathSeparator))) {
                if (!p.isEmpty()) {
                    result.add(Path.of(p));
                }
            }
        }
        return result;
    }

    /**
     * Runs one suite on a thread of its own, started for it, and waits for it: what a suite
     * leaves in thread-locals (commons-lang3's {@code ToStringStyle} registry, into which its
     * reflection tests that the JDK refuses leave boxed values registered) reaches neither the
     * suite run after it in this JVM nor the view it runs in. A thread started after a patch
     * was applied starts in the patch's view, as a new request's thread would.
     */
    static String onItsOwnThread(String label, List<Path> testJars, List<Path> extras, Path results, String classes)
            throws IOException {
        java.util.Properties properties = (java.util.Properties) System.getProperties().clone();
        String[] summary = new String[1];
        Throwable[] failure = new Throwable[1];
        Thread suite = new Thread(() -> {
            try {
                summary[0] = run(testJars, extras, results, classes);
            } catch (Throwable t) {
                failure[0] = t;
            }
        }, "suite-" + label);
        suite.start();
        boolean interrupted = false;
        while (true) {
            try {
                suite.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        restore(properties);
        // join() orders the suite thread's writes before these reads
        if (failure[0] instanceof IOException e) {
            throw e;
        }
        if (failure[0] instanceof RuntimeException e) {
            throw e;
        }
        if (failure[0] instanceof Error e) {
            throw e;
        }
        return summary[0];
    }

    /**
     * Gives the system properties back the values of {@code snapshot}, on the JVM's own
     * {@code Properties} object: what a suite sets and leaves set (log4j-core 2.17.0's
     * {@code JndiLookupTest} leaves {@code log4j2.enableJndiLookup=true}) is not seen by the
     * next suite, which starts with the properties the JVM started with, as in a build of its own.
     */
    static void restore(java.util.Properties snapshot) {
        for (String name : System.getProperties().stringPropertyNames()) {
            if (snapshot.getProperty(name) == null) {
                System.clearProperty(name);
            }
        }
        for (String name : snapshot.stringPropertyNames()) {
            String value = snapshot.getProperty(name);
            if (!value.equals(System.getProperty(name))) {
                System.setProperty(name, value);
            }
        }
    }

    private static String run(List<Path> testJars, List<Path> extras, Path results, String classes) throws IOException {
        long start = System.nanoTime();
        Map<String, String> outcomes = new ConcurrentHashMap<>();
        Map<String, String> causes = new ConcurrentHashMap<>();
        int[] counts = new int[4];
        Thread current = Thread.currentThread();
        ClassLoader previous = current.getContextClassLoader();
        ClassLoader app = SuiteRunner.class.getClassLoader();
        boolean onClassPath = onClassPath(testJars);
        RenamedSuite renamed = null;
        if (!onClassPath) {
            renamed = RenamedSuite.of(concat(testJars, extras));
            Path dir = suiteClassDirectory();
            renamed.writeTo(dir, concat(testJars, extras));
            // the copies of its resources the harness laid out (SuiteLayout), as they name its classes
            renamed.renameResources(testJars, List.of(dir, Path.of(System.getProperty("user.dir"), "src", "test", "resources")
                    .toAbsolutePath().normalize()));
        }
        try {
            current.setContextClassLoader(app);
            Launcher launcher = LauncherFactory.create();
            TestExecutionListener listener = listener(outcomes, causes, counts, new Keys());
            for (String className : testClasses(testJars, classes)) {
                Class<?> c;
                try {
                    c = Class.forName(renamed == null ? className : renamed.renamed(className), false, app);
                } catch (ClassNotFoundException | LinkageError e) {
                    outcomes.put("[class:" + className + "]", "CONTAINER_FAILED");
                    causes.put("[class:" + className + "]", RenamedSuite.original(cause(e)));
                    continue;
                }
                LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                        .selectors(DiscoverySelectors.selectClass(c)).build();
                try {
                    launcher.execute(request, listener);
                } catch (RuntimeException | LinkageError e) {
                    // one class that cannot be discovered (a nested class that does not link, say) fails alone
                    outcomes.put("[class:" + className + "]", "CONTAINER_FAILED");
                    causes.put("[class:" + className + "]", RenamedSuite.original(cause(e)));
                }
            }
        } finally {
            current.setContextClassLoader(previous);
        }
        try (Writer w = Files.newBufferedWriter(results, StandardCharsets.UTF_8)) {
            for (Map.Entry<String, String> e : new java.util.TreeMap<>(outcomes).entrySet()) {
                w.write(e.getValue() + "\t" + encodable(e.getKey().replace('\n', ' ')) + "\n");
            }
        }
        // why each test that did not succeed failed (for whoever investigates a difference)
        try (Writer w = Files.newBufferedWriter(results.resolveSibling(results.getFileName() + ".causes"), StandardCharsets.UTF_8)) {
            for (Map.Entry<String, String> e : new java.util.TreeMap<>(causes).entrySet()) {
                w.write(encodable(e.getKey().replace('\n', ' ')) + "\t" + encodable(e.getValue()) + "\n");
            }
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        synchronized (counts) {
            return counts[0] + " " + counts[1] + " " + counts[2] + " " + counts[3] + " " + ms;
        }
    }

    /**
     * {@code text} with each unpaired surrogate written {@code \\uXXXX}: a test's id may carry its
     * arguments (commons-lang3 3.19.0's {@code testIndexOfAnyBut_StringCharArrayWithSurrogateChars}
     * passes lone surrogates), which UTF-8 cannot encode; the same id gives the same text on every side.
     */
    static String encodable(String text) {
        StringBuilder sb = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean paired = Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1));
            if (paired) {
                if (sb != null) {
                    sb.append(c).append(text.charAt(i + 1));
                }
                i++;
            } else if (Character.isSurrogate(c)) {
                if (sb == null) {
                    sb = new StringBuilder(text.substring(0, i));
                }
                sb.append(String.format("\\u%04X", (int) c));
            } else if (sb != null) {
                sb.append(c);
            }
        }
        return sb == null ? text : sb.toString();
    }

    private static TestExecutionListener listener(Map<String, String> outcomes, Map<String, String> causes, int[] counts,
                                                  Keys keys) {
        return new TestExecutionListener() {
            @Override
            public void executionSkipped(TestIdentifier id, String reason) {
                if (id.isTest()) {
                    outcomes.put(keys.of(RenamedSuite.original(id.getUniqueId()), RenamedSuite.original(id.getDisplayName())), "SKIPPED");
                    synchronized (counts) {
                        counts[3]++;
                    }
                }
            }

            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                String key = keys.of(RenamedSuite.original(id.getUniqueId()), RenamedSuite.original(id.getDisplayName()));
                result.getThrowable().ifPresent(t -> causes.put(key, RenamedSuite.original(cause(t))));
                if (id.isTest()) {
                    outcomes.put(key, result.getStatus().name());
                    synchronized (counts) {
                        counts[switch (result.getStatus()) {
                            case SUCCESSFUL -> 0;
                            case FAILED -> 1;
                            case ABORTED -> 2;
                        }]++;
                    }
                } else if (result.getStatus() == TestExecutionResult.Status.FAILED) {
                    outcomes.put(key, "CONTAINER_FAILED");
                }
            }
        };
    }

    private static final String INVOCATION = "/[test-template-invocation:#";

    /**
     * The keys that one run records its outcomes under ({@link #of}).
     *
     * <p>Threading: thread-safe (a suite may run its tests in parallel).
     */
    static final class Keys {
        /**
         * A type's simple name (capitalised, as types are named; a hidden class's address
         * after it) and an identity hash, as {@code Object.toString()} writes them:
         * {@code ServletFileUpload@1b1473ab}, {@code Test$$Lambda/0x000071c8c8003400@5e9f23b4}.
         */
        private static final java.util.regex.Pattern IDENTITY =
                java.util.regex.Pattern.compile("(?<![\\w$])([A-Z_$][\\w$]*)(?:/0x[0-9a-f]+)?@([0-9a-f]{1,8})(?![\\w$.])");
        private final Map<String, Integer> invocations = new ConcurrentHashMap<>();
        /** Guarded by itself: by test class and type name, the hashes seen, each with its number. */
        private final Map<String, Map<String, Integer>> identities = new java.util.HashMap<>();
        private final String workingDirectory;

        /** The keys of a run in this JVM's working directory. */
        Keys() {
            this(System.getProperty("user.dir"));
        }

        /** The keys of a run whose working directory is {@code workingDirectory} (an absolute path). */
        Keys(String workingDirectory) {
            this.workingDirectory = workingDirectory;
        }

        /**
         * The key a test's outcome is recorded under: its JUnit unique id, except that an
         * invocation of a parameterised (template) test is named by its display name without
         * JUnit's {@code [n] } index prefix ({@code .../[test-template-invocation:tr_CY]}), with
         * {@code  (2)}, {@code  (3)}... after the second and later invocations of one template
         * that share a display name. So an invocation is compared with the reference's by its
         * arguments, not by its position: a source such as {@code Locale.getAvailableLocales()}
         * returns its elements in an order that differs from one JVM to the next, and by index
         * the n-th invocation of one JVM would be compared with another argument's in the other.
         * The working directory's absolute path in a display name ({@code /../patched/work/target/
         * test-classes/archives/FreeBSD.ar}: commons-compress names invocations by their test
         * files) is written {@code .}, since each JVM of a pair runs in a directory of its own.
         *
         * <p>An identity hash in the id or display name ({@code ServletFileUpload@1b1473ab}:
         * an argument without a {@code toString()} of its own, which JUnit 4's
         * {@code Parameterized} and JUnit 5 both put into the names of a parameterised test's
         * runs) differs in every JVM, so it is replaced by the order in which its object came
         * among the objects of that type named in the test class's ids in this run:
         * {@code ServletFileUpload@identity-1} for the first, {@code -2} for the next. Two runs
         * of one class whose parameters come in one order (JUnit runs them in the order the
         * class's source gives them) then name each run alike; of objects that only their
         * identity tells apart, the order is all there is to match them by.
         */
        String of(String uniqueId, String displayName) {
            String testClass = testClass(uniqueId);
            String id = numbered(testClass, uniqueId);
            String name = numbered(testClass, relative(displayName));
            int at = id.lastIndexOf(INVOCATION);
            if (at < 0 || id.indexOf(']', at) != id.length() - 1) {
                return id;
            }
            int close = name.indexOf("] ");
            if (name.startsWith("[") && close > 1 && name.substring(1, close).chars().allMatch(Character::isDigit)) {
                name = name.substring(close + 2);
            }
            String base = id.substring(0, at) + "/[test-template-invocation:"
                    + name.replace('\n', ' ').replace('\t', ' ').replace('\r', ' ');
            int n = invocations.merge(base, 1, Integer::sum);
            return base + (n == 1 ? "" : " (" + n + ")") + "]";
        }

        /** {@code text} with the working directory's absolute path written {@code .}. */
        private String relative(String text) {
            return workingDirectory == null || workingDirectory.length() < 2 ? text : text.replace(workingDirectory, ".");
        }

        private String numbered(String testClass, String text) {
            java.util.regex.Matcher m = IDENTITY.matcher(text);
            if (!m.find()) {
                return text;
            }
            StringBuilder sb = new StringBuilder();
            synchronized (identities) {
                do {
                    Map<String, Integer> ofType = identities.computeIfAbsent(testClass + "\0" + m.group(1), k -> new java.util.HashMap<>());
                    int number = ofType.computeIfAbsent(m.group(), k -> ofType.size() + 1);
                    m.appendReplacement(sb, java.util.regex.Matcher.quoteReplacement(m.group(1) + "@identity-" + number));
                } while (m.find());
            }
            m.appendTail(sb);
            return sb.toString();
        }

        /** The test class a unique id names ({@code [class:..]}, a vintage {@code [runner:..]}), or "". */
        private static String testClass(String uniqueId) {
            for (String kind : new String[] {"[class:", "[runner:"}) {
                int i = uniqueId.indexOf(kind);
                int end = i < 0 ? -1 : uniqueId.indexOf(']', i);
                if (end > 0) {
                    return uniqueId.substring(i + kind.length(), end);
                }
            }
            return "";
        }
    }

    /** The throwable and its causes, each with its first stack frame, on one line. */
    private static String cause(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null && sb.length() < 2000; c = c.getCause() == c ? null : c.getCause()) {
            sb.append(sb.isEmpty() ? "" : " <- caused by ").append(String.valueOf(c).replace('\n', ' ').replace('\t', ' '));
            if (c.getStackTrace().length > 0) {
                sb.append(" at ").append(c.getStackTrace()[0]);
            }
        }
        return sb.toString();
    }

    /** Whether every jar is on the JVM's class path (then the tests share the library's class loader). */
    private static boolean onClassPath(List<Path> jars) {
        Set<Path> cp = classPath();
        for (Path j : jars) {
            if (!cp.contains(j.toAbsolutePath().normalize())) {
                return false;
            }
        }
        return true;
    }

    /** Top-level classes of the jars whose names match Maven Surefire's default includes, sorted. */
    private static List<String> testClasses(List<Path> jars, String classes) throws IOException {
        java.util.TreeSet<String> names = new java.util.TreeSet<>();
        for (Path j : jars) {
            try (java.util.jar.JarFile jar = new java.util.jar.JarFile(j.toFile())) {
                var entries = jar.entries();
                while (entries.hasMoreElements()) {
                    String n = entries.nextElement().getName();
                    if (n.endsWith(".class") && !n.contains("$") && !n.startsWith("META-INF/")) {
                        String cn = n.substring(0, n.length() - 6).replace('/', '.');
                        String only = System.getProperty(TESTS_PROPERTY);
                        if (cn.matches(SUREFIRE_INCLUDES) && (only == null || cn.matches(only))
                                && (classes == null || cn.matches(classes))) {
                            names.add(cn);
                        }
                    }
                }
            }
        }
        return new ArrayList<>(names);
    }

    private static List<Path> concat(List<Path> a, List<Path> b) {
        List<Path> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /**
     * The class-path directory a suite whose jars are not on the class path is renamed into
     * ({@link RenamedSuite}): the system property {@value #SUITE_CLASSES_PROPERTY}, or else
     * {@code target/test-classes} in the working directory (where the harness puts it, first on
     * the child's class path).
     *
     * @throws IOException if that directory is not on the JVM's class path
     */
    static Path suiteClassDirectory() throws IOException {
        String given = System.getProperty(SUITE_CLASSES_PROPERTY);
        Path dir = (given != null ? Path.of(given) : Path.of(System.getProperty("user.dir"), "target", "test-classes"))
                .toAbsolutePath().normalize();
        if (!classPath().contains(dir)) {
            throw new IOException("the suite's jars are not on the class path, and " + dir + " (where they would be renamed into, "
                    + "beside the library: -D" + SUITE_CLASSES_PROPERTY + ") is not on the class path either: "
                    + System.getProperty("java.class.path"));
        }
        Files.createDirectories(dir);
        return dir;
    }

    private static Set<Path> classPath() {
        Set<Path> cp = new LinkedHashSet<>();
        for (String e : System.getProperty("java.class.path").split(java.util.regex.Pattern.quote(java.io.File.pathSeparator))) {
            if (!e.isEmpty()) {
                cp.add(Path.of(e).toAbsolutePath().normalize());
            }
        }
        return cp;
    }
}
