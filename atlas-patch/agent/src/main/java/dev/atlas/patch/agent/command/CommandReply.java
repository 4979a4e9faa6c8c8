package dev.atlas.patch.agent.command;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The agent's answer to a {@link CommandRequest}, written to {@value #FILE} in the command
 * directory: a status, a few machine-readable fields, and a text for people.
 *
 * <pre>
 *   atlas-reply 1
 *   status=ok|refused|timeout|failed
 *   key=value                 (one line each; values never contain a line break)
 *   ...
 *   (empty line)
 *   free text: the report the CLI prints
 * </pre>
 *
 * <p>Apply and rollback answer in two parts: at once, when the migration has started
 * ({@link Status#STARTED}, in {@value #FILE}), and when it is done or the request's timeout
 * ran out ({@value #FINAL_FILE}, written later by the agent off the attach-listener thread);
 * the CLI waits for the second and shows both as one ({@link #followedBy}).
 *
 * @param status what happened
 * @param fields machine-readable facts (patch id, view ids, thread counts...), in order
 * @param text   the report for people
 */
public record CommandReply(Status status, Map<String, String> fields, String text) {
    /** The reply file in the command directory. */
    public static final String FILE = "reply.txt";
    /** The final reply of an apply or rollback whose first reply was {@link Status#STARTED}. */
    public static final String FINAL_FILE = "final-reply.txt";
    private static final String HEADER = "atlas-reply 1";

    /** The outcome of a command. */
    public enum Status {
        /** Done. */
        OK,
        /** Refused; nothing changed in the target JVM. */
        REFUSED,
        /** Done, but the migration had not finished when the time ran out; it goes on. */
        TIMEOUT,
        /**
         * The change is in effect and its migration has started; the outcome follows in
         * {@value CommandReply#FINAL_FILE} (OK or TIMEOUT).
         */
        STARTED,
        /** An unexpected failure; the text says what is known about the state. */
        FAILED
    }

    public CommandReply {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(text, "text");
        Map<String, String> copy = new LinkedHashMap<>();
        for (Map.Entry<String, String> f : fields.entrySet()) {
            String k = f.getKey();
            if (k.isEmpty() || k.contains("=") || k.contains("\n")) {
                throw new IllegalArgumentException("reply field name '" + k + "': expected a word");
            }
            copy.put(k, f.getValue().replace("\r", " ").replace("\n", " "));
        }
        fields = Collections.unmodifiableMap(copy);
    }

    /** The reply in its wire format (see the class comment). */
    public String render() {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        sb.append("status=").append(status.name().toLowerCase(java.util.Locale.ROOT)).append('\n');
        for (Map.Entry<String, String> f : fields.entrySet()) {
            sb.append(f.getKey()).append('=').append(f.getValue()).append('\n');
        }
        return sb.append('\n').append(text).toString();
    }

    /** A field, or null. */
    public String field(String name) {
        return fields.get(name);
    }

    /** Writes the reply to {@code dir} as {@value #FILE} (a temporary file moved into place). */
    public void write(Path dir) throws IOException {
        write(dir, FILE);
    }

    /** Writes the reply to {@code dir} as {@code name} (a temporary file moved into place). */
    public void write(Path dir, String name) throws IOException {
        Path tmp = dir.resolve(name + ".tmp");
        Files.writeString(tmp, render(), StandardCharsets.UTF_8);
        Files.move(tmp, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * This {@link Status#STARTED} reply completed by its final reply: the final status, both
     * replies' fields (the final one's win), and both texts one after the other.
     */
    public CommandReply followedBy(CommandReply last) {
        Map<String, String> f = new LinkedHashMap<>(fields);
        f.putAll(last.fields);
        return new CommandReply(last.status, f, text + last.text);
    }

    /**
     * Reads a reply written by {@link #write}.
     *
     * @throws IllegalArgumentException if the file is not a reply
     */
    public static CommandReply read(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    /**
     * The lines of {@code text} as {@link String#lines()} cuts them (at {@code \n}, {@code \r}
     * or {@code \r\n}; no empty last line after a final terminator), with a plain loop: no
     * stream on the patch path (ARCHITECTURE.md, checked by PatchPathRulesTest).
     */
    static List<String> lines(String text) {
        List<String> out = new ArrayList<>();
        int start = 0;
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r') {
                out.add(text.substring(start, i));
                if (c == '\r' && i + 1 < n && text.charAt(i + 1) == '\n') {
                    i++;
                }
                start = i + 1;
            }
        }
        if (start < n) {
            out.add(text.substring(start));
        }
        return out;
    }

    /**
     * Parses the text of a reply ({@link #render()}).
     *
     * @param source names the text in error messages
     * @throws IllegalArgumentException if the text is not a reply
     */
    public static CommandReply parse(String reply, String source) {
        List<String> lines = lines(reply);
        if (lines.isEmpty() || !lines.getFirst().equals(HEADER)) {
            throw new IllegalArgumentException(source + ": not an Atlas reply (expected '" + HEADER + "' first)");
        }
        Status status = null;
        Map<String, String> fields = new LinkedHashMap<>();
        int i = 1;
        for (; i < lines.size() && !lines.get(i).isEmpty(); i++) {
            String line = lines.get(i);
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(source + " line " + (i + 1) + ": expected key=value, found '" + line + "'");
            }
            String k = line.substring(0, eq);
            String v = line.substring(eq + 1);
            if (k.equals("status")) {
                try {
                    status = Status.valueOf(v.toUpperCase(java.util.Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(source + ": status '" + v + "' is unknown", e);
                }
            } else {
                fields.put(k, v);
            }
        }
        if (status == null) {
            throw new IllegalArgumentException(source + ": no status line");
        }
        String text = i + 1 < lines.size() ? String.join("\n", lines.subList(i + 1, lines.size())) + "\n" : "";
        return new CommandReply(status, fields, text);
    }
}
