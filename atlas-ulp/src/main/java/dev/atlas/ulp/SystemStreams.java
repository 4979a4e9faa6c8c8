package dev.atlas.ulp;

import dev.atlas.ulp.system.ProgramContext;
import dev.atlas.ulp.system.ProgramExitSignal;
import dev.atlas.ulp.system.ProgramSystem;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;

/**
 * The JVM-wide parts of a host: {@code System.out}, {@code System.err} and {@code System.in}
 * become streams that forward to the calling program's own streams (or the host's, outside
 * every program), and uncaught exceptions are printed to the failing program's
 * {@code System.err}, an exit signal silently. Program code is rewritten to reach its
 * streams directly; this catches the JDK's own uses ({@code Throwable.printStackTrace()},
 * a thread's uncaught exception, {@code java.util.logging}'s console).
 *
 * <p>Thread safety: {@link #install()} is idempotent and synchronized.
 */
final class SystemStreams {
    private static boolean installed;

    private SystemStreams() {
    }

    static synchronized void install() {
        if (installed) {
            return;
        }
        installed = true;
        PrintStream hostOut = System.out;
        PrintStream hostErr = System.err;
        InputStream hostIn = System.in;
        System.setOut(new PrintStream(new Forwarding(hostOut, true), true, charset("stdout.encoding")));
        System.setErr(new PrintStream(new Forwarding(hostErr, false), true, charset("stderr.encoding")));
        System.setIn(new ForwardingInput(hostIn));
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> {
            if (e instanceof ProgramExitSignal) {
                return;
            }
            PrintStream err = System.err;
            err.print("Exception in thread \"" + t.getName() + "\" ");
            e.printStackTrace(err);
        });
    }

    static Charset charset(String property) {
        String name = System.getProperty(property, System.getProperty("native.encoding"));
        try {
            return name == null ? Charset.defaultCharset() : Charset.forName(name);
        } catch (IllegalArgumentException e) {
            return Charset.defaultCharset();
        }
    }

    /** Bytes to the calling program's stream, else the host's. */
    private static final class Forwarding extends OutputStream {
        private final PrintStream host;
        private final boolean out;

        Forwarding(PrintStream host, boolean out) {
            this.host = host;
            this.out = out;
        }

        private PrintStream target() {
            ProgramContext c = ProgramSystem.current();
            return c == null ? host : out ? c.out() : c.err();
        }

        @Override
        public void write(int b) {
            target().write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            target().write(b, off, len);
        }

        @Override
        public void flush() {
            target().flush();
        }
    }

    private static final class ForwardingInput extends InputStream {
        private final InputStream host;

        ForwardingInput(InputStream host) {
            this.host = host;
        }

        private InputStream target() {
            ProgramContext c = ProgramSystem.current();
            return c == null ? host : c.in();
        }

        @Override
        public int read() throws IOException {
            return target().read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return target().read(b, off, len);
        }

        @Override
        public int available() throws IOException {
            return target().available();
        }
    }
}
