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
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;
import java.util.StringJoiner;

/**
 * One operator command for the agent in a running JVM, as the CLI writes it into the
 * command directory ({@value #FILE}, a {@link Properties} file) before it loads the agent
 * with {@code command=<verb>,dir=<directory>}.
 *
 * {@snippet class=dev.atlas.patch.snippets.AgentSnippets region=command-request}
 *
 * @param verb              what to do
 * @param patch             the patch file (apply only; a private copy in the command directory), or null
 * @param timeout           how long the agent waits for the migration (apply, rollback)
 * @param keystore          trusted key store: the patch must be signed by one of its keys; null: no check
 * @param keystorePassword  its password, or null
 * @param agentOptions      agent options for {@code attach}, and for an {@code apply} that installs the agent
 *                          (see {@link dev.atlas.patch.agent.install.AgentOptions}), or null
 * @param variant           what {@code variant-apply}, {@code variant-remove} and {@code variant-list} act on, or null
 * @param loader            apply and rollback only: the name of the one class loader whose classes the patch
 *                          changes (see {@link dev.atlas.patch.runtime.LoaderScope}), or null for every loader
 */
public record CommandRequest(Verb verb, Path patch, Duration timeout, Path keystore, String keystorePassword,
                             String agentOptions, VariantArgs variant, String loader) {
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
        STATUS,
        /** Publish a per-thread variant and move the named threads into it. */
        VARIANT_APPLY,
        /** Move a variant's threads back to the default view and retire it. */
        VARIANT_REMOVE,
        /** Report the applied variants, their threads and their latest traces. */
        VARIANT_LIST;

        /** The verb as written on the wire: {@code apply}, {@code rollback}, {@code variant-apply}, ... */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /** @throws IllegalArgumentException naming an unknown verb */
        public static Verb ofWireName(String s) {
            for (Verb v : values()) {
                if (v.wireName().equals(s)) {
                    return v;
                }
            }
            StringJoiner known = new StringJoiner(", ");
            for (Verb v : values()) {
                known.add(v.wireName());
            }
            throw new IllegalArgumentException("command '" + s + "': unknown; expected one of " + known);
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
        if (verb.name().startsWith("VARIANT") && variant == null) {
            throw new IllegalArgumentException(verb.wireName() + " needs the variant's arguments");
        }
        if (loader != null && (verb != Verb.APPLY && verb != Verb.ROLLBACK || loader.isBlank())) {
            throw new IllegalArgumentException("class loader '" + loader + "': only apply and rollback take one, and not blank");
        }
    }

    /**
     * The arguments of the {@code variant-*} commands.
     *
     * @param name     the variant's name (apply, remove), or null (list: every variant)
     * @param trace    {@code Type#method} patterns to trace (apply)
     * @param restrict {@code Type#method} patterns to restrict (apply)
     * @param threads  names of the threads to move into the variant (apply)
     * @param traces   how many of the latest traced calls to show (list)
     */
    public record VariantArgs(String name, List<String> trace, List<String> restrict, List<String> threads,
                              int traces) {
        public VariantArgs {
            trace = List.copyOf(trace);
            restrict = List.copyOf(restrict);
            threads = List.copyOf(threads);
            if (traces < 0) {
                throw new IllegalArgumentException("traces " + traces + ": expected 0 or more");
            }
        }

        void write(Properties p) {
            if (name != null) {
                p.setProperty("variant-name", name);
            }
            list(p, "variant-trace", trace);
            list(p, "variant-restrict", restrict);
            list(p, "variant-thread", threads);
            p.setProperty("variant-traces", Integer.toString(traces));
        }

        static VariantArgs read(Properties p) {
            String n = p.getProperty("variant-traces", "0");
            int traces;
            try {
                traces = Integer.parseInt(n);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(FILE + ": variant-traces '" + n + "' is not a number", e);
            }
            return new VariantArgs(p.getProperty("variant-name"), list(p, "variant-trace"),
                    list(p, "variant-restrict"), list(p, "variant-thread"), traces);
        }

        private static void list(Properties p, String key, List<String> values) {
            for (int i = 0; i < values.size(); i++) {
                p.setProperty(key + "." + i, values.get(i));
            }
        }

        private static List<String> list(Properties p, String key) {
            List<String> out = new ArrayList<>();
            for (String v; (v = p.getProperty(key + "." + out.size())) != null; ) {
                out.add(v);
            }
            return out;
        }
    }

    public static CommandRequest apply(Path patch, Duration timeout, Path keystore, String keystorePassword) {
        return new CommandRequest(Verb.APPLY, patch, timeout, keystore, keystorePassword, null, null, null);
    }

    /** An apply that changes only the classes of the class loader named {@code loader} (null: every loader). */
    public static CommandRequest apply(Path patch, Duration timeout, Path keystore, String keystorePassword, String loader) {
        return new CommandRequest(Verb.APPLY, patch, timeout, keystore, keystorePassword, null, null, loader);
    }

    /** An apply that, if the agent is not installed yet, installs it with {@code agentOptions} (null: the defaults). */
    public static CommandRequest apply(Path patch, Duration timeout, Path keystore, String keystorePassword, String loader,
                                       String agentOptions) {
        return new CommandRequest(Verb.APPLY, patch, timeout, keystore, keystorePassword, agentOptions, null, loader);
    }

    public static CommandRequest rollback(Duration timeout) {
        return rollback(timeout, null);
    }

    /** A rollback of the newest patch applied to the class loader named {@code loader} (null: the newest patch). */
    public static CommandRequest rollback(Duration timeout, String loader) {
        return new CommandRequest(Verb.ROLLBACK, null, timeout, null, null, null, null, loader);
    }

    public static CommandRequest status() {
        return new CommandRequest(Verb.STATUS, null, Duration.ZERO, null, null, null, null, null);
    }

    public static CommandRequest attach(String agentOptions) {
        return new CommandRequest(Verb.ATTACH, null, Duration.ZERO, null, null, agentOptions, null, null);
    }

    /** Publishes variant {@code name} and moves the named threads into it, waiting up to {@code timeout}. */
    public static CommandRequest variantApply(String name, List<String> trace, List<String> restrict,
                                              List<String> threads, Duration timeout) {
        return new CommandRequest(Verb.VARIANT_APPLY, null, timeout, null, null, null,
                new VariantArgs(name, trace, restrict, threads, 0), null);
    }

    /** Removes variant {@code name}, waiting up to {@code timeout} for its threads to leave it. */
    public static CommandRequest variantRemove(String name, Duration timeout) {
        return new CommandRequest(Verb.VARIANT_REMOVE, null, timeout, null, null, null,
                new VariantArgs(name, List.of(), List.of(), List.of(), 0), null);
    }

    /** Lists the variants with the latest {@code traces} traced calls of each. */
    public static CommandRequest variantList(int traces) {
        return new CommandRequest(Verb.VARIANT_LIST, null, Duration.ZERO, null, null, null,
                new VariantArgs(null, List.of(), List.of(), List.of(), traces), null);
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
        if (variant != null) {
            variant.write(p);
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
        Verb v = Verb.ofWireName(verb);
        return new CommandRequest(v, patch == null ? null : Path.of(patch), Duration.ofMillis(ms),
                keystore == null ? null : Path.of(keystore), p.getProperty("keystore-password"),
                p.getProperty("agent-options"), v.name().startsWith("VARIANT") ? VariantArgs.read(p) : null,
                p.getProperty("loader"));
    }

    @Override
    public String toString() {   // never the password
        return "CommandRequest[" + verb.wireName() + (patch == null ? "" : " " + patch) + ", timeout " + timeout
                + (keystore == null ? "" : ", signature required (" + keystore + ")")
                + (agentOptions == null ? "" : ", options " + agentOptions)
                + (variant == null ? "" : ", " + variant)
                + (loader == null ? "" : ", class loader " + loader) + "]";
    }
}
