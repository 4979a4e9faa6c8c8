package dev.atlas.corpus.child;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Pattern;

/**
 * The classes of a suite's jars, each renamed within its own package, for the application
 * class loader to define beside the library: a suite whose jars are not on the class path (the
 * old release's tests, whose class names the new release's tests on the class path also use)
 * then runs as it would on a plain JVM on its library. Its tests in the library's packages are
 * in the library's runtime package (same package name, same defining loader), so their
 * package-private and protected access to the library links, as it does in the release's own
 * build; the tests and the classes they use resolve each other by their renamed names.
 *
 * <p>A top-level class {@code p.Foo} becomes {@code p.Foo_AtlasRun<n>} and its nested
 * classes {@code p.Foo_AtlasRun<n>$Bar}, {@code n} numbering the suites renamed in this JVM,
 * so that each run defines classes of its own. {@link #original} takes the suffix out of a
 * test's id, display name or failure, which are therefore recorded under the release's own names.
 *
 * <p>Implementation notes: a class file names classes only through its constant pool, so the
 * rename rewrites the pool's UTF-8 entries and copies the rest of the file unchanged (every
 * index stays valid). In each entry, a name of one of the suite's top-level classes is
 * renamed where it stands as a whole (internal form {@code p/Foo}, also as {@code Lp/Foo;} in a
 * descriptor or signature, or binary form {@code p.Foo} in a string constant such as a
 * {@code Class.forName} argument or a JUnit {@code @MethodSource("p.Foo#m")}), followed by
 * the end of the entry, {@code $} or a character that cannot be part of a name other than
 * {@code .} (so a resource path {@code p/Foo.txt} is left alone). The same rename applies to
 * the copies of the suite's text resources in its working directory ({@link #renameResources}).
 *
 * <p>Not thread-safe; one suite run uses one instance on one thread.
 */
final class RenamedSuite {
    /** What the rename appends to a top-level class's simple name, without the run's number. */
    static final String SUFFIX = "_AtlasRun";
    private static final Pattern ANY_SUFFIX = Pattern.compile(SUFFIX + "\\d+(?![\\p{Alnum}_])");
    private static final java.util.concurrent.atomic.AtomicInteger RUNS = new java.util.concurrent.atomic.AtomicInteger();

    private final String suffix;
    /** The suite's top-level classes, in internal form ({@code p/Foo}). */
    private final Set<String> topLevel;

    private RenamedSuite(String suffix, Set<String> topLevel) {
        this.suffix = suffix;
        this.topLevel = topLevel;
    }

    /** The classes of {@code jars} (every class entry outside {@code META-INF/}), renamed with this JVM's next run number. */
    static RenamedSuite of(List<Path> jars) throws IOException {
        Set<String> names = new HashSet<>();
        for (Path j : jars) {
            try (JarFile jar = new JarFile(j.toFile())) {
                Enumeration<JarEntry> entries = jar.entries();
                while (entries.hasMoreElements()) {
                    String internal = internalName(entries.nextElement());
                    if (internal != null) {
                        int dollar = internal.indexOf('$', internal.lastIndexOf('/') + 1);
                        names.add(dollar < 0 ? internal : internal.substring(0, dollar));
                    }
                }
            }
        }
        return new RenamedSuite(SUFFIX + RUNS.incrementAndGet(), names);
    }

    /** For tests: a rename of the given top-level classes (internal form) with {@code suffix}. */
    static RenamedSuite of(Set<String> topLevel, String suffix) {
        return new RenamedSuite(suffix, Set.copyOf(topLevel));
    }

    /** The internal name of the class an entry holds, or null if it holds none to rename. */
    private static String internalName(JarEntry e) {
        String n = e.getName();
        if (e.isDirectory() || !n.endsWith(".class") || n.startsWith("META-INF/")) {
            return null;
        }
        String internal = n.substring(0, n.length() - ".class".length());
        String simple = internal.substring(internal.lastIndexOf('/') + 1);
        return simple.equals("module-info") || simple.equals("package-info") ? null : internal;
    }

    /** The renamed binary name of the suite's class {@code binaryName} ({@code p.Foo$Bar}), or the name itself if not the suite's. */
    String renamed(String binaryName) {
        return renameIn(binaryName);
    }

    /** {@code text} with the suffix of every renamed class taken out: the names the release itself gives them. */
    static String original(String text) {
        return text.indexOf(SUFFIX) < 0 ? text : ANY_SUFFIX.matcher(text).replaceAll("");
    }

    /**
     * Writes the suite's classes of {@code jars}, renamed, into the class-path directory
     * {@code dir} (as {@code p/Foo_AtlasRun1.class}, ...), for the application class loader to
     * load by name.
     *
     * @return how many classes were written
     * @throws IOException if a jar cannot be read, a class file is malformed, or a file cannot be written
     */
    int writeTo(Path dir, List<Path> jars) throws IOException {
        int n = 0;
        for (Path j : jars) {
            try (JarFile jar = new JarFile(j.toFile())) {
                Enumeration<JarEntry> entries = jar.entries();
                while (entries.hasMoreElements()) {
                    JarEntry e = entries.nextElement();
                    String internal = internalName(e);
                    if (internal == null) {
                        continue;
                    }
                    byte[] bytes;
                    try (InputStream in = jar.getInputStream(e)) {
                        bytes = in.readAllBytes();
                    }
                    Path target = dir.resolve(renameIn(internal) + ".class").normalize();
                    if (!target.startsWith(dir)) {
                        throw new IOException(j + ": entry '" + e.getName() + "' points outside " + dir);
                    }
                    Files.createDirectories(target.getParent());
                    try {
                        Files.write(target, rename(bytes));
                    } catch (IOException | RuntimeException x) {
                        throw new IOException(j + ": class '" + e.getName() + "' could not be renamed: " + x.getMessage(), x);
                    }
                    n++;
                }
            }
        }
        return n;
    }

    /** The extensions of the text resources whose class names {@link #renameResources} renames. */
    private static final Set<String> TEXT = Set.of("xml", "properties", "json", "yaml", "yml", "txt", "conf", "cfg", "ini");

    /**
     * Renames the suite's class names in the copies, in {@code dirs}, of the text resources of
     * {@code jars} (xml, properties, json, yaml, yml, txt, conf, cfg, ini): a configuration file that names a test class
     * ({@code config-class="p.FooTest$Impl"}) then names the renamed one. Binary resources are
     * left alone (a serialised object's class names are length-prefixed).
     *
     * @return how many files were rewritten
     */
    int renameResources(List<Path> jars, List<Path> dirs) throws IOException {
        int n = 0;
        for (Path j : jars) {
            try (JarFile jar = new JarFile(j.toFile())) {
                Enumeration<JarEntry> entries = jar.entries();
                while (entries.hasMoreElements()) {
                    JarEntry e = entries.nextElement();
                    String name = e.getName();
                    int dot = name.lastIndexOf('.');
                    if (e.isDirectory() || name.startsWith("META-INF/") || dot < 0
                            || !TEXT.contains(name.substring(dot + 1).toLowerCase(java.util.Locale.ROOT))) {
                        continue;
                    }
                    String text;
                    try (InputStream in = jar.getInputStream(e)) {
                        text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
                    }
                    String renamed = renameIn(text);
                    if (renamed.equals(text)) {
                        continue;
                    }
                    for (Path dir : dirs) {
                        Path copy = dir.resolve(name).normalize();
                        if (copy.startsWith(dir) && Files.isRegularFile(copy)) {
                            Files.write(copy, renamed.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                            n++;
                        }
                    }
                }
            }
        }
        return n;
    }

    /** The class file {@code classFile} with the suite's class names in its constant pool renamed. */
    byte[] rename(byte[] classFile) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(classFile.length + 256);
        DataOutputStream out = new DataOutputStream(bytes);
        int magic = in.readInt();
        if (magic != 0xCAFEBABE) {
            throw new IOException("not a class file (magic " + Integer.toHexString(magic) + ")");
        }
        out.writeInt(magic);
        out.writeInt(in.readInt());   // minor, major version
        int count = in.readUnsignedShort();
        out.writeShort(count);
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            out.writeByte(tag);
            int size = switch (tag) {
                case 1 -> -1;                  // Utf8
                case 7, 8, 16, 19, 20 -> 2;    // Class, String, MethodType, Module, Package
                case 15 -> 3;                  // MethodHandle
                case 3, 4, 9, 10, 11, 12, 17, 18 -> 4;
                case 5, 6 -> 8;                // Long, Double: two slots
                default -> throw new IOException("constant pool entry " + i + " has an unknown tag " + tag);
            };
            if (size < 0) {
                out.writeUTF(renameIn(in.readUTF()));
            } else {
                out.write(in.readNBytes(size));
            }
            if (tag == 5 || tag == 6) {
                i++;
            }
        }
        in.transferTo(out);
        out.flush();
        return bytes.toByteArray();
    }

    /** {@code s} with every name of the suite's top-level classes that stands as a whole in it renamed. */
    String renameIn(String s) {
        StringBuilder out = null;
        int copied = 0;
        int n = s.length();
        int i = 0;
        while (i < n) {
            if (!nameChar(s.charAt(i))) {
                i++;
                continue;
            }
            int start = i;
            while (i < n && nameChar(s.charAt(i))) {
                i++;
            }
            int cut = cut(s, start, i);
            if (cut < 0) {
                // a descriptor's run may start with primitive types before the class: (IJLp/Foo;
                int k = start;
                while (k < i && "BCDFIJSZ".indexOf(s.charAt(k)) >= 0) {
                    k++;
                }
                if (k < i && s.charAt(k) == 'L') {
                    cut = cut(s, k + 1, i);
                }
            }
            if (cut >= 0) {
                if (out == null) {
                    out = new StringBuilder(n + 16);
                }
                out.append(s, copied, cut).append(suffix);
                copied = cut;
            }
        }
        return out == null ? s : out.append(s, copied, n).toString();
    }

    /**
     * Where the suffix goes if {@code s[from, end)} begins with a top-level class of the suite
     * followed by its end or {@code $}: the end of that name; otherwise -1.
     */
    private int cut(String s, int from, int end) {
        int dollar = s.indexOf('$', from);
        int to = dollar < 0 || dollar > end ? end : dollar;
        if (to <= from) {
            return -1;
        }
        String name = s.substring(from, to);
        if (name.indexOf('.') >= 0) {
            if (name.indexOf('/') >= 0) {
                return -1;
            }
            name = name.replace('.', '/');
        }
        return topLevel.contains(name) ? to : -1;
    }

    private static boolean nameChar(char c) {
        return Character.isJavaIdentifierPart(c) && !Character.isIdentifierIgnorable(c) || c == '/' || c == '.';
    }
}
