package dev.atlas.ulp;

import dev.atlas.ulp.fixtures.Programs;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.lang.ref.WeakReference;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertNull;

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

    /**
     * Asserts that {@code ref} is cleared after a bounded number of full collections (an
     * exiting thread may still be unwinding its ProgramExitSignal: they yield in between).
     */
    static void assertCollected(WeakReference<?> ref) {
        for (int i = 0; i < 200 && ref.get() != null; i++) {
            System.gc();
            Thread.yield();
        }
        Object left = ref.get();
        assertNull(left == null ? null : left + " still reachable");
    }

    static Map<String, String> env(String k, String v) {
        return Map.of(k, v, "PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    }
}
