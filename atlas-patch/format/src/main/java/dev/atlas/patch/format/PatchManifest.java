package dev.atlas.patch.format;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The manifest grammar of a patch file (see {@link PatchFile} for the lines): a
 * {@link Patch} turned into its entries (manifest first, then the class files it names), and
 * entries parsed back into a {@link Patch}, with every check that needs no JVM to define the
 * classes (grammar, referenced entries present and parsing as class files of the expected
 * name, no unknown entry, the id being the hash of the content).
 *
 * <p>Implementation notes: plain loops, no streams, regex or {@code String.split}: the agent
 * parses here at the patch instant (see "The patch path in the serving JVM" in
 * ARCHITECTURE.md). Stateless and thread-safe.
 */
final class PatchManifest {
    private PatchManifest() {
    }

    static Map<String, byte[]> entries(Patch patch) {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        StringBuilder m = new StringBuilder();
        m.append("atlas-patch\t").append(patch.formatVersion()).append('\n');
        m.append("id\t").append(patch.id()).append('\n');
        m.append("description\t").append(escape(patch.description())).append('\n');
        Map<String, byte[]> classEntries = new LinkedHashMap<>();
        for (ClassPatch c : patch.classes()) {
            String body = c.bodyClass() == null ? "-" : "body/" + c.className() + ".class";
            m.append("class\t").append(c.className()).append('\t').append(c.expectedFingerprint()).append('\t')
                    .append(c.newFingerprint()).append('\t').append(body).append('\t')
                    .append(c.transferHook() == null ? "-" : c.transferHook()).append('\n');
            for (MethodChange mc : c.methods()) {
                m.append("method\t").append(mc.kind()).append('\t').append(mc.name()).append('\t')
                        .append(mc.descriptor()).append('\t').append(mc.isStatic() ? "static" : "instance").append('\t')
                        .append(mc.bodyMethodName());
                if (mc.initCall() != null) {
                    m.append('\t').append(mc.initCall());
                }
                m.append('\n');
            }
            for (FieldAddition f : c.addedFields()) {
                m.append("field\t").append(f.name()).append('\t').append(f.descriptor()).append('\t')
                        .append(f.isStatic() ? "static" : "instance").append('\t')
                        .append(f.initializerMethod() == null ? "-" : f.initializerMethod()).append('\n');
            }
            if (c.bodyClass() != null) {
                classEntries.put(body, c.bodyClass());
            }
        }
        for (AddedClass a : patch.addedClasses()) {
            m.append("added\t").append(a.className()).append('\t').append(a.hostClassName()).append('\n');
            classEntries.put("added/" + a.className() + ".class", a.bytes());
        }
        for (String r : patch.uncarriedResources()) {
            m.append("resource\t").append(r).append('\n');
        }
        for (String u : patch.unappliedChanges()) {
            m.append("unapplied\t").append(escape(u)).append('\n');
        }
        entries.put(PatchFile.MANIFEST, m.toString().getBytes(StandardCharsets.UTF_8));
        entries.putAll(classEntries);
        return entries;
    }

    static Patch parse(Map<String, byte[]> entries) throws MalformedPatchException {
        String text = new String(entries.get(PatchFile.MANIFEST), StandardCharsets.UTF_8);
        List<String> lines = lines(text);
        Cursor cur = new Cursor(lines);
        String[] head = cur.next("atlas-patch", 2);
        if (!head[1].equals(String.valueOf(Patch.FORMAT_VERSION))) {
            throw cur.error("format version '" + head[1] + "', expected " + Patch.FORMAT_VERSION);
        }
        String id = cur.next("id", 2)[1];
        String rawDescription = cur.next("description", 2)[1];
        if (rawDescription.length() > PatchFile.MAX_DESCRIPTION_CHARS) {
            throw cur.errorNoText("description of " + rawDescription.length() + " characters; the limit is "
                    + PatchFile.MAX_DESCRIPTION_CHARS + " (MAX_DESCRIPTION_CHARS)");
        }
        String description = unescape(rawDescription, cur);
        List<ClassLines> classes = new ArrayList<>();
        List<AddedClass> added = new ArrayList<>();
        List<String> resources = new ArrayList<>();
        List<String> unapplied = new ArrayList<>();
        List<String> used = new ArrayList<>(List.of(PatchFile.MANIFEST, PatchFile.SIGNATURE, PatchFile.CERTIFICATES));
        String id8 = id.length() >= 8 ? id.substring(0, 8) : id;
        // The records' constructors check their values (IllegalArgumentException and the like):
        // one handler names the manifest line for all of them (no lambda per record on the patch path)
        List<ClassPatch> classPatches = new ArrayList<>();
        Patch patch;
        try {
            while (cur.hasNext()) {
                String[] f = cur.peekFields();
                if (classes.size() + added.size() >= PatchFile.MAX_CLASSES && (f[0].equals("class") || f[0].equals("added"))) {
                    throw cur.errorNoText("more than " + PatchFile.MAX_CLASSES + " classes; the limit is " + PatchFile.MAX_CLASSES
                            + " (MAX_CLASSES)");
                }
                switch (f[0]) {
                    case "class" -> {
                        f = cur.next("class", 6);
                        List<MethodChange> methods = new ArrayList<>();
                        List<FieldAddition> fields = new ArrayList<>();
                        while (cur.hasNext() && (cur.peekFields()[0].equals("method") || cur.peekFields()[0].equals("field"))) {
                            String[] g = cur.peekFields();
                            if (g[0].equals("method")) {
                                g = cur.next("method", g.length == 7 ? 7 : 6);
                                MethodChange.Kind kind;
                                try {
                                    kind = MethodChange.Kind.valueOf(g[1]);
                                } catch (IllegalArgumentException e) {
                                    throw cur.error("method kind '" + g[1] + "', expected REPLACED or ADDED");
                                }
                                String[] gg = g;
                                methods.add(new MethodChange(kind, gg[2], gg[3], staticFlag(gg[4], cur), gg[5],
                                        gg.length == 7 ? gg[6] : null));
                            } else {
                                String[] gg = cur.next("field", 5);
                                fields.add(new FieldAddition(gg[1], gg[2], staticFlag(gg[3], cur),
                                        gg[4].equals("-") ? null : gg[4]));
                            }
                        }
                        byte[] body = null;
                        if (!f[4].equals("-")) {
                            String expectedEntry = "body/" + f[1] + ".class";
                            if (!f[4].equals(expectedEntry)) {
                                throw cur.error("body entry '" + f[4] + "', expected '" + expectedEntry + "'");
                            }
                            body = classEntry(entries, expectedEntry, f[1] + "$$AtlasPatch$" + id8);
                            used.add(expectedEntry);
                        }
                        classes.add(new ClassLines(f, methods, fields, body));
                    }
                    case "added" -> {
                        String[] g = cur.next("added", 3);
                        String entry = "added/" + g[1] + ".class";
                        byte[] bytes = classEntry(entries, entry, g[1]);
                        used.add(entry);
                        added.add(new AddedClass(g[1], g[2], bytes));
                    }
                    case "resource" -> {
                        if (resources.size() >= PatchFile.MAX_CLASSES) {
                            throw cur.errorNoText("more than " + PatchFile.MAX_CLASSES + " resources; the limit is "
                                    + PatchFile.MAX_CLASSES + " (MAX_CLASSES)");
                        }
                        resources.add(cur.next("resource", 2)[1]);
                    }
                    case "unapplied" -> {
                        if (unapplied.size() >= PatchFile.MAX_CLASSES) {
                            throw cur.errorNoText("more than " + PatchFile.MAX_CLASSES + " unapplied changes; the limit is "
                                    + PatchFile.MAX_CLASSES + " (MAX_CLASSES)");
                        }
                        String raw = cur.next("unapplied", 2)[1];
                        if (raw.length() > PatchFile.MAX_DESCRIPTION_CHARS) {
                            throw cur.errorNoText("unapplied change of " + raw.length() + " characters; the limit is "
                                    + PatchFile.MAX_DESCRIPTION_CHARS + " (MAX_DESCRIPTION_CHARS)");
                        }
                        unapplied.add(unescape(raw, cur));
                    }
                    default -> throw cur.error("line starting with '" + f[0] + "', expected 'class', 'added', 'resource' or "
                            + "'unapplied'");
                }
            }
            for (String name : entries.keySet()) {
                if (!used.contains(name)) {
                    throw new MalformedPatchException("entry '" + name + "' is not referenced by the manifest (unexpected entry)");
                }
            }
            for (ClassLines c : classes) {
                String[] f = c.fields();
                classPatches.add(new ClassPatch(f[1], f[2], f[3], c.methods(), c.additions(), c.body(),
                        f[5].equals("-") ? null : f[5]));
            }
            patch = new Patch(Integer.parseInt(head[1]), id, description, classPatches, added, resources, unapplied);
        } catch (IllegalArgumentException | IndexOutOfBoundsException | NullPointerException e) {
            throw cur.error(e.getMessage());
        }
        String expectedId = PatchIds.idOf(patch);
        if (!expectedId.equals(patch.id())) {
            throw new MalformedPatchException(PatchFile.MANIFEST + ": id " + patch.id() + " does not match the content (expected "
                    + expectedId + "): the file was changed after it was written");
        }
        return patch;
    }

    /** A parsed 'class' line with its 'method' and 'field' lines. */
    private record ClassLines(String[] fields, List<MethodChange> methods, List<FieldAddition> additions, byte[] body) {
    }

    private static boolean staticFlag(String s, Cursor cur) {
        return switch (s) {
            case "static" -> true;
            case "instance" -> false;
            default -> throw new IllegalArgumentException("'" + s + "', expected static or instance");
        };
    }

    private static byte[] classEntry(Map<String, byte[]> entries, String entry, String expectedName)
            throws MalformedPatchException {
        byte[] bytes = entries.get(entry);
        if (bytes == null) {
            throw new MalformedPatchException("entry '" + entry + "' is missing (expected the class file of " + expectedName + ")");
        }
        String name;
        try {
            ClassModel model = ClassFile.of().parse(bytes);
            name = model.thisClass().asInternalName();
            ClassBytesCheck.walk(model);
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new MalformedPatchException("entry '" + entry + "' is not a valid class file: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // the JDK's parser fails on some damage with other exceptions (fuzzing found a
            // NegativeArraySizeException in CodeImpl.inflateMetadata for a damaged Code attribute)
            throw new MalformedPatchException("entry '" + entry + "' is not a valid class file (the class-file parser "
                    + "failed: " + e + ")", e);
        }
        if (!name.equals(expectedName)) {
            throw new MalformedPatchException("entry '" + entry + "' holds class " + name + ", expected " + expectedName);
        }
        return bytes;
    }

    /**
     * The lines of {@code text} ({@code \n}, {@code \r\n} or {@code \r}), like
     * {@link String#lines()} but without a stream. Reading a patch runs in the serving JVM at
     * the patch instant, where a stream pipeline with Atlas's lambdas makes C2 discard the
     * application's compiled stream code (see "The patch path in the serving JVM" in
     * ARCHITECTURE.md); the same holds for {@code String.split} with a negative limit.
     */
    static List<String> lines(String text) {
        List<String> out = new ArrayList<>();
        int from = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r') {
                out.add(text.substring(from, i));
                if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    i++;
                }
                from = i + 1;
            }
        }
        if (from < text.length()) {
            out.add(text.substring(from));
        }
        return out;
    }

    /** {@code s} as the manifest stores it ({@code %}, tab, CR and LF percent-escaped). */
    static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            switch (c) {
                case '%' -> sb.append("%25");
                case '\t' -> sb.append("%09");
                case '\n' -> sb.append("%0A");
                case '\r' -> sb.append("%0D");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    static String unescape(String s, Cursor cur) throws MalformedPatchException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    throw cur.error("truncated escape in '" + s + "'");
                }
                try {
                    sb.append((char) Integer.parseInt(s.substring(i + 1, i + 3), 16));
                } catch (RuntimeException e) {
                    throw cur.error("bad escape in '" + s + "', expected %XX");
                }
                i += 2;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** Walks the manifest lines, producing errors that name the line. */
    private static final class Cursor {
        private final List<String> lines;
        private int pos;

        Cursor(List<String> lines) {
            this.lines = lines;
        }

        boolean hasNext() {
            while (pos < lines.size() && lines.get(pos).isEmpty()) {
                pos++;
            }
            return pos < lines.size();
        }

        String[] peekFields() {
            // not String.split: its limit < 0 path is one the application's compiled split() has not seen
            return cut(lines.get(pos), '\t').toArray(new String[0]);
        }

        String[] next(String keyword, int fields) throws MalformedPatchException {
            if (!hasNext()) {
                throw new MalformedPatchException(PatchFile.MANIFEST + ": ends early, expected a '" + keyword + "' line");
            }
            String[] f = peekFields();
            if (!f[0].equals(keyword) || f.length != fields) {
                throw error("expected a '" + keyword + "' line with " + fields + " tab-separated fields");
            }
            pos++;
            return f;
        }

        /** An error naming the line by number only (the line may be huge). */
        MalformedPatchException errorNoText(String what) {
            return new MalformedPatchException(PatchFile.MANIFEST + " line " + Math.min(pos, lines.size()) + ": " + what);
        }

        MalformedPatchException error(String what) {
            int line = Math.min(pos, lines.size() - 1);
            String text = line >= 0 ? lines.get(line) : "";
            return new MalformedPatchException(PatchFile.MANIFEST + " line " + (line + 1) + " ('"
                    + (text.length() > 200 ? text.substring(0, 200) + "..." : text) + "'): " + what);
        }
    }

    /**
     * {@code text} cut at every {@code separator}, empty pieces kept (as {@code split} with a
     * negative limit cuts it), with a plain loop: no regex on the patch path.
     */
    static List<String> cut(String text, char separator) {
        List<String> pieces = new ArrayList<>();
        int from = 0;
        for (int at = text.indexOf(separator); at >= 0; at = text.indexOf(separator, from)) {
            pieces.add(text.substring(from, at));
            from = at + 1;
        }
        pieces.add(text.substring(from));
        return pieces;
    }
}
