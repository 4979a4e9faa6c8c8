package dev.atlas.ulp;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;

/**
 * A program's standard streams, as the host sees them: where its {@code System.in} reads
 * from and where its {@code System.out} and {@code System.err} write to. The host wraps the
 * outputs in the program's own {@code PrintStream}s and flushes them when the program ends;
 * it does not close them.
 */
public record ProgramIo(InputStream in, OutputStream out, OutputStream err) {
    public ProgramIo {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(err, "err");
    }
}
