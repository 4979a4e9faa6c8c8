package dev.atlas.patch.agent.command;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;

/**
 * One operator command for the agent in a running JVM, as the CLI writes it into the
 * command directory ({@value #FILE}, a {@link Properties} file) before it loads the agent
 * with {@code command=<verb>,dir=<directory>}.
 *
 * {@snippet :
 * CommandRequest r = CommandRequest.apply(dir.resolve("patch.atlaspatch"), Duration.ofSeconds(30), null, null);
 * r.write(dir);                              // the CLI
 * CommandRequest same = CommandRequest.read(dir);   // the agent, in the target JVM
 * }
 *
 * @param verb              what to do
 * @param patch             the patch file (apply only; a private copy in the command directory), or null
 * @param timeout           how long the agent waits for the migration (apply, rollback)
 * @param keystore          trusted key store: the patch must be signed by one of its keys; null: no check
 * @param keystorePassword  its password, or null
 * @param agentOptions      agent options for {@code attach} (see {@link dev.atlas.patch.agent.install.AgentOptions}), or null
 * @param loader            apply only: the name of the one class loader whose classes the patch changes
 *                          (see {@link dev.atlas.patch.runtime.LoaderScope}), or null for every loader
 */
public record CommandRequest(Verb verb, Path patch, Duration timeout, Path keystore, String keystorePassword,
                             String agentOptions, String loader) {
    /** The request file in the command directory. */
    public static final String FILE = "request.properties";

    /** The commands the agent understands. */
    public enum Verb {
        /** Install the agent (late attach) with the given options. */
        ATTACH,
        /** Apply a patch and wait for the migration. */
        APPLY,
        /** Roll back the newest patch and wait for the migration. */
        ROLLBACK,
        /** Report views, threads, patches and migrations. */
        STATUS;

        /** The verb as written on the wire: {@code apply}, {@code rollback}, ... */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** @throws IllegalArgumentException naming an unknown verb */
        public static Verb ofWireName(String s) {
            for (Verb v : values()) {
                if (v.wireName().equals(s)) {
                    return v;
                }
            }
            throw new IllegalArgumentException("command '" + s + "': unknown; expected attach, apply, rollback or status");
        }
    }

    public CommandRequest {
        Objects.requireNonNull(verb, "verb");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout " + timeout + " is negative");
        }
        if (verb == Verb.APPLY && patch == null) {
            throw new IllegalArgumentException("apply needs a patch file");
        }
        if (loader != null && (verb != Verb.APPLY || loader.isBlank())) {
            throw new IllegalArgumentException("class loader '" + loader + "': only apply takes one, and not blank");
        }
    }

    public static CommandRequest apply(Path patch, Duration timeout, Path keystore, String keystorePassword) {
        return new CommandRequest(Verb.APPLY, patch, timeout, keystore, keystorePassword, null, null);
    }

    /** An apply that changes only the classes of the class loader named {@code loader} (null: every loader). */
    public static CommandRequest apply(Path patch, Duration timeout, Path keystore, String keystorePassword, String loader) {
        return new CommandRequest(Verb.APPLY, patch, timeout, keystore, keystorePassword, null, loader);
    }

    public static CommandRequest rollback(Duration timeout) {
        return new CommandRequest(Verb.ROLLBACK, null, timeout, null, null, null, null);
    }

    public static CommandRequest status() {
        return new CommandRequest(Verb.STATUS, null, Duration.ZERO, null, null, null, null);
    }

    public static CommandRequest attach(String agentOptions) {
        return new CommandRequest(Verb.ATTACH, null, Duration.ZERO, null, null, agentOptions, null);
    }

    /** Writes {@value #FILE} into {@code dir}. */
    public void write(Path dir) throws IOException {
        Properties p = new Properties();
        p.setProperty("command", verb.wireName());
        p.setProperty("timeout-ms", Long.toString(timeout.toMillis()));
        if (patch != null) {
            p.setProperty("patch", patch.toAbsolutePath().toString());
        }
        if (keystore != null) {
            p.setProperty("keystore", keystore.toAbsolutePath().toString());
        }
        if (keystorePassword != null) {
            p.setProperty("keystore-password", keystorePassword);
        }
        if (agentOptions != null) {
            p.setProperty("agent-options", agentOptions);
        }
        if (loader != null) {
            p.setProperty("loader", loader);
        }
        // may hold a key store password: written to a file created 0600 (never readable by others for a
        // moment), then moved into place
        Path tmp = dir.getFileSystem().supportedFileAttributeViews().contains("posix")
                ? Files.createTempFile(dir, ".request", ".tmp",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                : Files.createTempFile(dir, ".request", ".tmp");
        try {
            try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                p.store(w, "atlas command");
            }
            Files.move(tmp, dir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Reads {@value #FILE} from {@code dir}.
     *
     * @throws IllegalArgumentException naming a missing or malformed entry
     */
    public static CommandRequest read(Path dir) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(dir.resolve(FILE), StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (java.nio.charset.CharacterCodingException e) {   // found by CommandInputFuzzTest
            throw new IllegalArgumentException(FILE + ": not UTF-8 text (" + e + ")", e);
        }
        String verb = p.getProperty("command");
        if (verb == null) {
            throw new IllegalArgumentException(FILE + ": no 'command' entry");
        }
        long ms;
        try {
            ms = Long.parseLong(p.getProperty("timeout-ms", "0"));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(FILE + ": timeout-ms '" + p.getProperty("timeout-ms")
                    + "' is not a number of milliseconds", e);
        }
        String patch = p.getProperty("patch");
        String keystore = p.getProperty("keystore");
        return new CommandRequest(Verb.ofWireName(verb), patch == null ? null : Path.of(patch), Duration.ofMillis(ms),
                keystore == null ? null : Path.of(keystore), p.getProperty("keystore-password"),
                p.getProperty("agent-options"), p.getProperty("loader"));
    }

    @Override
    public String toString() {   // never the password
        return "CommandRequest[" + verb.wireName() + (patch == null ? "" : " " + patch) + ", timeout " + timeout
                + (keystore == null ? "" : ", signature required (" + keystore + ")")
                + (agentOptions == null ? "" : ", options " + agentOptions)
                + (loader == null ? "" : ", class loader " + loader) + "]";
    }
}
