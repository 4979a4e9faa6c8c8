package dev.atlas.ulp;

import dev.atlas.ulp.fixtures.Programs;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Runs the fixture programs in a host and captures what they print. */
final class HostFixture {
    static final Path TEST_CLASSES = testClasses();

    private HostFixture() {
    }

    private static Path testClasses() {
        try {
            return Path.of(Programs.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static ProgramSpec spec(Class<?> main, String... args) {
        return ProgramSpec.ofClassPath(List.of(TEST_CLASSES), main.getName(), List.of(args));
    }

    /** A finished run: its status and output. */
    record Run(int status, String out, String err) {
    }

    /** A started run whose output is captured. */
    record Started(RunningProgram program, ByteArrayOutputStream out, ByteArrayOutputStream err) {
        Run await() throws InterruptedException {
            int status = program.awaitExit();
            return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }
    }

    static Started start(ProgramHost host, ProgramSpec spec, InputStream in) throws LaunchException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        RunningProgram p = host.launch(spec, new ProgramIo(in, out, err));
        return new Started(p, out, err);
    }

    static Run run(ProgramHost host, ProgramSpec spec, String stdin) throws Exception {
        return start(host, spec, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8))).await();
    }

    static Run run(ProgramHost host, ProgramSpec spec) throws Exception {
        return run(host, spec, "");
    }

    static Map<String, String> env(String k, String v) {
        return Map.of(k, v, "PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    }
}
