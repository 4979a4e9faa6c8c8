package dev.atlas.corpus;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fetches a release from Maven Central with Maven itself (the project's wrapper): the jar,
 * its {@code tests} jar and the test class path its own build declares, plus the JUnit
 * Platform pieces a programmatic run needs.
 *
 * {@snippet class=dev.atlas.corpus.CorpusSnippets region=release-resolver}
 *
 * <p>Implementation notes: up to three Maven runs per release, the result cached in the work
 * directory: (1) a generated project depending on the jar and the tests jar (nothing
 * transitive) downloads them, unless the local repository has them already; (2) the release's own published POM (copied next to it) is
 * asked for its test class path, so the versions are the ones the release was tested with
 * (without the archives its build unpacks: {@link #withoutArchiveDependencies});
 * (3) a generated project adds the JUnit engines and launcher that (2) lacks, at the
 * platform version (2) has. Nothing is installed. Not thread-safe (one harness thread).
 */
final class ReleaseResolver {
    static final String DEFAULT_PLATFORM = "1.13.4";
    private static final Pattern PLATFORM =
            Pattern.compile("junit-platform-(?:engine|commons|launcher)-(1\\.\\d+\\.\\d+(?:-[A-Za-z0-9.]+)?)\\.jar");
    private static final Pattern ARCHIVE_DEPENDENCY = Pattern.compile(
            "<dependency>(?:(?!</dependency>).)*?<type>\\s*zip\\s*</type>(?:(?!</dependency>).)*?</dependency>", Pattern.DOTALL);
    private static final Pattern JUNIT4 = Pattern.compile("junit-(\\d+)\\.(\\d+)(?:\\.\\d+)?\\.jar");

    private final Path root;
    private final Path work;

    ReleaseResolver(Path root, Path work) {
        this.root = root;
        this.work = work;
    }

    ReleaseClasspath resolve(String group, String artifact, String version) throws IOException, InterruptedException {
        Path dir = work.resolve(artifact + "-" + version);
        Files.createDirectories(dir);
        Path cache = dir.resolve("classpath.txt");
        if (Files.exists(cache)) {
            return ReleaseClasspath.read(cache);
        }
        // (1) the jar and the tests jar (a Maven run only when the local repository lacks them)
        Path local = localRepository().resolve(group.replace('.', '/')).resolve(artifact).resolve(version);
        Path jar = local.resolve(artifact + "-" + version + ".jar");
        Path tests = local.resolve(artifact + "-" + version + "-tests.jar");
        if (!Files.isRegularFile(jar) || !Files.isRegularFile(tests) || !Files.isRegularFile(local.resolve(artifact + "-" + version + ".pom"))) {
            Path fetch = dir.resolve("fetch");
            Files.createDirectories(fetch);
            String deps = dependency(group, artifact, version, null, true) + dependency(group, artifact, version, "tests", true);
            List<Path> fetched = classpath(fetch, project(deps), "fetch " + group + ":" + artifact + ":" + version);
            jar = find(fetched, artifact + "-" + version + ".jar");
            tests = find(fetched, artifact + "-" + version + "-tests.jar");
        }
        // (2) the release's own test class path
        Path own = dir.resolve("own");
        Files.createDirectories(own);
        Path pom = jar.resolveSibling(artifact + "-" + version + ".pom");
        List<Path> testPath = new ArrayList<>(classpath(own, withoutArchiveDependencies(Files.readString(pom)),
                "test class path of " + artifact + " " + version));
        // (3) what a programmatic JUnit Platform run needs in addition
        String extras = junitExtras(testPath);
        if (!extras.isEmpty()) {
            Path add = dir.resolve("junit");
            Files.createDirectories(add);
            List<Path> more = classpath(add, project(extras), "JUnit Platform for " + artifact + " " + version);
            testPath.removeIf(p -> JUNIT4.matcher(p.getFileName().toString()).matches() && !modernJunit4(p));
            for (Path p : more) {
                if (!testPath.contains(p)) {
                    testPath.add(p);
                }
            }
        }
        testPath.remove(jar);
        testPath.remove(tests);
        ReleaseClasspath result = new ReleaseClasspath(jar, tests, testPath);
        result.write(cache);
        return result;
    }

    /**
     * A release's POM without its {@code <type>zip</type>} dependencies: archives its build
     * unpacks into the jar (log4j-core 2.16.0's {@code log4j-core-java9}), never on a class
     * path and sometimes never published, so that Maven cannot resolve the test class path
     * while one is declared.
     */
    static String withoutArchiveDependencies(String pom) {
        return ARCHIVE_DEPENDENCY.matcher(pom).replaceAll("");
    }

    /** JUnit pieces missing from a release's test class path, as POM dependencies. */
    static String junitExtras(List<Path> testPath) {
        String platform = null;
        boolean launcher = false;
        boolean jupiterApi = false;
        boolean jupiterEngine = false;
        boolean vintage = false;
        Path junit4 = null;
        for (Path p : testPath) {
            String n = p.getFileName().toString();
            Matcher m = PLATFORM.matcher(n);
            if (m.matches()) {
                platform = m.group(1);
            }
            launcher |= n.startsWith("junit-platform-launcher-");
            jupiterApi |= n.startsWith("junit-jupiter-api-");
            jupiterEngine |= n.startsWith("junit-jupiter-engine-");
            vintage |= n.startsWith("junit-vintage-engine-");
            if (JUNIT4.matcher(n).matches()) {
                junit4 = p;
            }
        }
        String pv = platform != null ? platform : DEFAULT_PLATFORM;
        String jv = "5" + pv.substring(1);
        StringBuilder sb = new StringBuilder();
        if (!launcher) {
            sb.append(dependency("org.junit.platform", "junit-platform-launcher", pv, null, false));
        }
        if (jupiterApi && !jupiterEngine) {
            sb.append(dependency("org.junit.jupiter", "junit-jupiter-engine", jv, null, false));
        }
        if (junit4 != null && !vintage) {
            sb.append(dependency("org.junit.vintage", "junit-vintage-engine", jv, null, false));
            if (!modernJunit4(junit4)) { // JUnit 3.x: the vintage engine needs 4.12 or newer
                sb.append(dependency("junit", "junit", "4.13.2", null, false));
            }
        }
        return sb.toString();
    }

    private static boolean modernJunit4(Path junitJar) {
        Matcher m = JUNIT4.matcher(junitJar.getFileName().toString());
        return m.matches() && Integer.parseInt(m.group(1)) == 4 && Integer.parseInt(m.group(2)) >= 12;
    }

    private static Path find(List<Path> paths, String fileName) {
        for (Path p : paths) {
            if (p.getFileName().toString().equals(fileName)) {
                return p;
            }
        }
        throw new IllegalStateException("Maven did not resolve " + fileName + " (resolved: " + paths + ")");
    }

    private static String dependency(String g, String a, String v, String classifier, boolean intransitive) {
        return "<dependency><groupId>" + g + "</groupId><artifactId>" + a + "</artifactId><version>" + v + "</version>"
                + (classifier == null ? "" : "<classifier>" + classifier + "</classifier>")
                + (intransitive ? "<exclusions><exclusion><groupId>*</groupId><artifactId>*</artifactId></exclusion></exclusions>" : "")
                + "</dependency>";
    }

    private static String project(String dependencies) {
        return "<project xmlns=\"http://maven.apache.org/POM/4.0.0\"><modelVersion>4.0.0</modelVersion>"
                + "<groupId>dev.atlas.corpus</groupId><artifactId>resolve</artifactId><version>1</version>"
                + "<dependencies>" + dependencies + "</dependencies></project>\n";
    }

    /** Writes {@code pom} into {@code dir} and asks Maven for its test class path. */
    private List<Path> classpath(Path dir, String pom, String what) throws IOException, InterruptedException {
        Files.writeString(dir.resolve("pom.xml"), pom, StandardCharsets.UTF_8);
        Path out = dir.resolve("cp.txt");
        Path log = dir.resolve("maven.log");
        Files.deleteIfExists(out);
        Process p = new ProcessBuilder(root.resolve(mvnw()).toString(), "-B", "-ntp", "-q", "-f", dir.resolve("pom.xml").toString(),
                "dependency:build-classpath", "-Dmdep.outputFile=" + out, "-Dmdep.includeScope=test")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        int rc = p.waitFor();
        if (rc != 0 || !Files.exists(out)) {
            throw new IOException("Maven could not resolve the " + what + " (exit " + rc + "); see " + log + ": "
                    + lastError(log).orElse("no error line"));
        }
        List<Path> result = new ArrayList<>();
        for (String s : Files.readString(out).trim().split(java.util.regex.Pattern.quote(java.io.File.pathSeparator))) {
            if (!s.isBlank()) {
                result.add(Path.of(s));
            }
        }
        return result;
    }

    /** Maven's local repository: {@code -Dmaven.repo.local} if the harness was given it, else {@code ~/.m2/repository}. */
    private static Path localRepository() {
        String set = System.getProperty("maven.repo.local");
        return set != null ? Path.of(set) : Path.of(System.getProperty("user.home"), ".m2", "repository");
    }

    private static String mvnw() {
        return System.getProperty("os.name", "").startsWith("Windows") ? "mvnw.cmd" : "mvnw";
    }

    private static Optional<String> lastError(Path log) throws IOException {
        String found = null;
        for (String line : Files.readAllLines(log)) {
            if (line.startsWith("[ERROR]") && found == null) {
                found = line;
            }
        }
        return Optional.ofNullable(found);
    }
}
