package dev.atlas.patch.format;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Reads and writes patch files: ZIP archives holding a text manifest and class files.
 *
 * {@snippet :
 * PatchFile.write(patch, Path.of("fix.atlaspatch"));
 * Patch back = PatchFile.read(Path.of("fix.atlaspatch")); // equals(patch)
 * }
 *
 * <p>Layout: {@value #MANIFEST} (first; tab-separated lines, see below), {@code body/<C>.class}
 * for each body class, {@code added/<name>.class} for each added class, and, once signed,
 * {@value #SIGNATURE} and {@value #CERTIFICATES}. Manifest lines:
 * <pre>
 * atlas-patch  1
 * id           0123456789abcdef
 * description  percent-escaped text
 * class        C  expectedFingerprint  newFingerprint  body|-  transferHook|-
 * method       REPLACED|ADDED  name  descriptor  static|instance  bodyMethodName   (belongs to the class above)
 * field        name  descriptor  static|instance  initializer|-                  (belongs to the class above)
 * added        className  hostClassName
 * </pre>
 *
 * <p>Limits, checked while reading, before anything larger is held: {@value #MAX_ENTRIES}
 * entries, {@value #MAX_ENTRY_BYTES} uncompressed bytes per entry ({@value #MAX_MANIFEST_BYTES}
 * for the manifest), {@value #MAX_TOTAL_BYTES} in all (and in the file), a description of
 * {@value #MAX_DESCRIPTION_CHARS} characters, {@value #MAX_CLASSES} classes. The agent reads
 * every patch through this class too, so the limits hold in the CLI and again in the target.
 *
 * <p>Implementation notes: reading checks everything it can without a JVM to define the
 * classes: the manifest grammar, that every referenced entry exists and parses as a class
 * file of the expected name, that no unknown entry is present, and that the id is the hash
 * of the content ({@link PatchIds}), so an accidental or careless change of any byte is
 * refused. Writing goes to a temporary file moved into place, so a failed write leaves no
 * half patch. Stateless and thread-safe.
 */
public final class PatchFile {
    /** The manifest entry. */
    public static final String MANIFEST = "atlas-patch.txt";
    /** The signature entry (algorithm and base64 signature). */
    public static final String SIGNATURE = "META-INF/ATLAS-PATCH.SIG";
    /** The signer's certificate chain (base64 DER, one per line, signer first). */
    public static final String CERTIFICATES = "META-INF/ATLAS-PATCH.CERTS";

    /** At most this many entries in a patch file. */
    public static final int MAX_ENTRIES = 10_000;
    /** At most this many classes (patched plus added) in a patch. */
    public static final int MAX_CLASSES = 5_000;
    /** At most this many uncompressed bytes in one entry. */
    public static final long MAX_ENTRY_BYTES = 16L << 20;
    /** At most this many uncompressed bytes in all entries together (and in the file itself). */
    public static final long MAX_TOTAL_BYTES = 64L << 20;
    /** At most this many bytes in the manifest entry. */
    public static final long MAX_MANIFEST_BYTES = 4L << 20;
    /** At most this many characters of description (escaped, as in the manifest). */
    public static final int MAX_DESCRIPTION_CHARS = 64 << 10;

    private PatchFile() {
    }

    /** Writes {@code patch} to {@code file}, replacing it. */
    public static void write(Patch patch, Path file) throws IOException {
        writeEntries(entriesOf(patch), file);
    }

    /**
     * Reads and validates a patch file (a signature, if present, is not checked here: see
     * {@link PatchVerifier}).
     *
     * @throws MalformedPatchException naming the entry and what was expected
     */
    public static Patch read(Path file) throws IOException, MalformedPatchException {
        return parse(readEntries(file));
    }

    /** The signer certificate recorded in the file, not verified; empty if unsigned. */
    public static Optional<X509Certificate> recordedSigner(Path file) throws IOException, MalformedPatchException {
        Map<String, byte[]> entries = readEntries(file);
        if (!entries.containsKey(CERTIFICATES)) {
            return Optional.empty();
        }
        List<X509Certificate> chain = certificates(entries.get(CERTIFICATES));
        return chain.isEmpty() ? Optional.empty() : Optional.of(chain.getFirst());
    }

    static Map<String, byte[]> entriesOf(Patch patch) {
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
                        .append(mc.bodyMethodName()).append('\n');
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
        entries.put(MANIFEST, m.toString().getBytes(StandardCharsets.UTF_8));
        entries.putAll(classEntries);
        return entries;
    }

    static void writeEntries(Map<String, byte[]> entries, Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".atlas-patch", ".tmp");
        try {
            try (OutputStream os = Files.newOutputStream(tmp); ZipOutputStream zip = new ZipOutputStream(os)) {
                for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                    ZipEntry ze = new ZipEntry(e.getKey());
                    ze.setTime(0L); // reproducible files
                    zip.putNextEntry(ze);
                    zip.write(e.getValue());
                    zip.closeEntry();
                }
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    static Map<String, byte[]> readEntries(Path file) throws IOException, MalformedPatchException {
        if (!Files.isRegularFile(file)) {
            throw new java.nio.file.NoSuchFileException(file.toString(), null, "no patch file there");
        }
        long fileSize = Files.size(file);
        if (fileSize > MAX_TOTAL_BYTES) {
            throw new MalformedPatchException(file + ": refused, the file has " + fileSize + " bytes; the limit is "
                    + MAX_TOTAL_BYTES + " bytes (MAX_TOTAL_BYTES)");
        }
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            if (zip.size() > MAX_ENTRIES) {
                throw new MalformedPatchException(file + ": refused, " + zip.size() + " entries; the limit is "
                        + MAX_ENTRIES + " (MAX_ENTRIES)");
            }
            long total = 0;
            Enumeration<? extends ZipEntry> all = zip.entries();
            for (ZipEntry ze : Collections.list(all)) {
                if (ze.isDirectory()) {
                    throw new MalformedPatchException(file + ": unexpected directory entry '" + ze.getName() + "'");
                }
                byte[] data;
                try (InputStream in = zip.getInputStream(ze)) {
                    data = readLimited(file, ze, in, MAX_TOTAL_BYTES - total);
                } catch (ZipException e) {
                    throw new MalformedPatchException(file + ": entry '" + ze.getName() + "' is corrupt: " + e.getMessage(), e);
                }
                total += data.length;
                if (entries.put(ze.getName(), data) != null) {
                    throw new MalformedPatchException(file + ": entry '" + ze.getName() + "' appears twice");
                }
            }
        } catch (ZipException e) {
            throw new MalformedPatchException(file + ": not a patch file (expected a ZIP archive with entry '"
                    + MANIFEST + "'): " + e.getMessage(), e);
        } catch (IOException e) {
            if (e instanceof java.io.EOFException || String.valueOf(e.getMessage()).contains("zip")) {
                throw new MalformedPatchException(file + ": truncated or not a ZIP archive: " + e.getMessage(), e);
            }
            throw e;
        }
        if (!entries.containsKey(MANIFEST)) {
            throw new MalformedPatchException(file + ": no entry '" + MANIFEST + "' (expected the patch manifest)");
        }
        return entries;
    }

    /**
     * Reads one entry, refusing it as soon as it passes its limit: the declared size is not
     * trusted (a ZIP bomb declares little), the bytes are counted as they are inflated, so no
     * more than the limit is ever held.
     */
    private static byte[] readLimited(Path file, ZipEntry ze, InputStream in, long totalLeft)
            throws IOException, MalformedPatchException {
        long entryLimit = ze.getName().equals(MANIFEST) ? MAX_MANIFEST_BYTES : MAX_ENTRY_BYTES;
        long limit = Math.min(entryLimit, totalLeft);
        if (ze.getSize() > limit) {
            throw overLimit(file, ze, ze.getSize(), entryLimit, limit);
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(
                (int) Math.min(Math.max(ze.getSize(), 0), limit));
        byte[] buf = new byte[16 << 10];
        long read = 0;
        for (int n; (n = in.read(buf)) > 0; ) {
            read += n;
            if (read > limit) {
                throw overLimit(file, ze, read, entryLimit, limit);
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    private static MalformedPatchException overLimit(Path file, ZipEntry ze, long size, long entryLimit, long limit) {
        return new MalformedPatchException(file + ": refused, entry '" + ze.getName() + "' has " + (size == limit + 1
                ? "more than " + limit : size) + " uncompressed bytes; the limit is " + (limit == entryLimit
                ? entryLimit + " bytes per " + (entryLimit == MAX_MANIFEST_BYTES ? "manifest (MAX_MANIFEST_BYTES)"
                        : "entry (MAX_ENTRY_BYTES)")
                : MAX_TOTAL_BYTES + " bytes in all entries (MAX_TOTAL_BYTES)"));
    }

    static Patch parse(Map<String, byte[]> entries) throws MalformedPatchException {
        String text = new String(entries.get(MANIFEST), StandardCharsets.UTF_8);
        List<String> lines = lines(text);
        Cursor cur = new Cursor(lines);
        String[] head = cur.next("atlas-patch", 2);
        if (!head[1].equals(String.valueOf(Patch.FORMAT_VERSION))) {
            throw cur.error("format version '" + head[1] + "', expected " + Patch.FORMAT_VERSION);
        }
        String id = cur.next("id", 2)[1];
        String rawDescription = cur.next("description", 2)[1];
        if (rawDescription.length() > MAX_DESCRIPTION_CHARS) {
            throw cur.errorNoText("description of " + rawDescription.length() + " characters; the limit is "
                    + MAX_DESCRIPTION_CHARS + " (MAX_DESCRIPTION_CHARS)");
        }
        String description = unescape(rawDescription, cur);
        List<ClassLines> classes = new ArrayList<>();
        List<AddedClass> added = new ArrayList<>();
        List<String> used = new ArrayList<>(List.of(MANIFEST, SIGNATURE, CERTIFICATES));
        String id8 = id.length() >= 8 ? id.substring(0, 8) : id;
        while (cur.hasNext()) {
            String[] f = cur.peekFields();
            if (classes.size() + added.size() >= MAX_CLASSES && (f[0].equals("class") || f[0].equals("added"))) {
                throw cur.errorNoText("more than " + MAX_CLASSES + " classes; the limit is " + MAX_CLASSES
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
                            g = cur.next("method", 6);
                            MethodChange.Kind kind;
                            try {
                                kind = MethodChange.Kind.valueOf(g[1]);
                            } catch (IllegalArgumentException e) {
                                throw cur.error("method kind '" + g[1] + "', expected REPLACED or ADDED");
                            }
                            String[] gg = g;
                            methods.add(cur.model(() -> new MethodChange(kind, gg[2], gg[3], staticFlag(gg[4], cur), gg[5])));
                        } else {
                            String[] gg = cur.next("field", 5);
                            fields.add(cur.model(() -> new FieldAddition(gg[1], gg[2], staticFlag(gg[3], cur),
                                    gg[4].equals("-") ? null : gg[4])));
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
                    added.add(cur.model(() -> new AddedClass(g[1], g[2], bytes)));
                }
                default -> throw cur.error("line starting with '" + f[0] + "', expected 'class' or 'added'");
            }
        }
        for (String name : entries.keySet()) {
            if (!used.contains(name)) {
                throw new MalformedPatchException("entry '" + name + "' is not referenced by the manifest (unexpected entry)");
            }
        }
        List<ClassPatch> classPatches = new ArrayList<>();
        for (ClassLines c : classes) {
            String[] f = c.fields();
            classPatches.add(cur.model(() -> new ClassPatch(f[1], f[2], f[3], c.methods(), c.additions(), c.body(),
                    f[5].equals("-") ? null : f[5])));
        }
        Patch patch = cur.model(() -> new Patch(Integer.parseInt(head[1]), id, description, classPatches, added));
        String expectedId = PatchIds.idOf(patch);
        if (!expectedId.equals(patch.id())) {
            throw new MalformedPatchException(MANIFEST + ": id " + patch.id() + " does not match the content (expected "
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

    static List<X509Certificate> certificates(byte[] entry) throws MalformedPatchException {
        List<X509Certificate> chain = new ArrayList<>();
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            for (String line : lines(new String(entry, StandardCharsets.US_ASCII))) {
                if (!line.isBlank()) {
                    chain.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(Base64.getDecoder().decode(line.trim()))));
                }
            }
        } catch (CertificateException | IllegalArgumentException e) {
            throw new MalformedPatchException("entry '" + CERTIFICATES + "' is not a list of base64 X.509 certificates: "
                    + e.getMessage(), e);
        }
        return chain;
    }

    /** {@code s} as the manifest stores it ({@code %}, tab, CR and LF percent-escaped). */
    public static String escape(String s) {
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
            String line = lines.get(pos);
            List<String> fields = new ArrayList<>();
            int from = 0;
            for (int tab = line.indexOf('\t'); tab >= 0; tab = line.indexOf('\t', from)) {
                fields.add(line.substring(from, tab));
                from = tab + 1;
            }
            fields.add(line.substring(from));
            return fields.toArray(new String[0]);
        }

        String[] next(String keyword, int fields) throws MalformedPatchException {
            if (!hasNext()) {
                throw new MalformedPatchException(MANIFEST + ": ends early, expected a '" + keyword + "' line");
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
            return new MalformedPatchException(MANIFEST + " line " + Math.min(pos, lines.size()) + ": " + what);
        }

        MalformedPatchException error(String what) {
            int line = Math.min(pos, lines.size() - 1);
            String text = line >= 0 ? lines.get(line) : "";
            return new MalformedPatchException(MANIFEST + " line " + (line + 1) + " ('"
                    + (text.length() > 200 ? text.substring(0, 200) + "..." : text) + "'): " + what);
        }

        interface ModelSupplier<T> {
            T get();
        }

        <T> T model(ModelSupplier<T> s) throws MalformedPatchException {
            try {
                return s.get();
            } catch (IllegalArgumentException | IndexOutOfBoundsException | NullPointerException e) {
                throw error(e.getMessage());
            }
        }
    }
}
