package dev.atlas.ulp.load;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.zip.ZipFile;

/**
 * The class path of one program: jars (multi-release aware, {@code Class-Path} manifest
 * entries followed as {@code java} does) and directories, searched in order for class files.
 *
 * <p>Thread safety: lookups may run concurrently (a {@link JarFile} is thread-safe);
 * {@link #close()} once, after the program ended.
 */
public final class ProgramClassPath implements Closeable {
    /**
     * A class file found on the path.
     *
     * @param bytes    its bytes
     * @param location the jar or directory it came from (its code source)
     * @param manifest the jar's manifest, or null
     */
    public record Found(byte[] bytes, URL location, Manifest manifest) {
    }

    private sealed interface Entry permits JarSource, DirSource {
        Found find(String resource) throws IOException;

        URL url();
    }

    private record JarSource(JarFile jar, URL url, Manifest manifest) implements Entry {
        @Override
        public Found find(String resource) throws IOException {
            JarEntry e = jar.getJarEntry(resource);
            if (e == null) {
                return null;
            }
            try (InputStream in = jar.getInputStream(e)) {
                return new Found(in.readAllBytes(), url, manifest);
            }
        }
    }

    private record DirSource(Path dir, URL url) implements Entry {
        @Override
        public Found find(String resource) throws IOException {
            Path p = dir.resolve(resource);
            return Files.isRegularFile(p) ? new Found(Files.readAllBytes(p), url, null) : null;
        }
    }

    private final List<Entry> entries;
    private final String fingerprint;

    private ProgramClassPath(List<Entry> entries, String fingerprint) {
        this.entries = entries;
        this.fingerprint = fingerprint;
    }

    /**
     * The manifest of the first entry, read when the path was opened; null if that entry is
     * a directory or a jar without one, or the path is empty ({@code java -jar} takes its
     * {@code Main-Class} from there, without opening the jar again).
     */
    public Manifest firstManifest() {
        return !entries.isEmpty() && entries.getFirst() instanceof JarSource j ? j.manifest() : null;
    }

    /**
     * Opens {@code path} (absolute paths of jars and directories; missing ones are skipped as
     * {@code java} skips them), following the jars' {@code Class-Path} manifest entries.
     *
     * @throws IOException if a jar cannot be opened
     */
    public static ProgramClassPath open(List<Path> path) throws IOException {
        List<Entry> entries = new ArrayList<>();
        StringBuilder fingerprint = new StringBuilder();
        boolean versioned = true;
        Set<Path> seen = new LinkedHashSet<>();
        Deque<Path> todo = new ArrayDeque<>(path);
        try {
            while (!todo.isEmpty()) {
                Path p = todo.removeFirst().toAbsolutePath().normalize();
                if (!seen.add(p)) {
                    continue;
                }
                if (Files.isDirectory(p)) {
                    entries.add(new DirSource(p, p.toUri().toURL()));
                    versioned = false;   // its files change one by one: no version to cache by
                } else if (Files.isRegularFile(p)) {
                    JarFile jar = new JarFile(p.toFile(), true, ZipFile.OPEN_READ, Runtime.version());
                    fingerprint.append(p).append('|').append(Long.toHexString(contentHash(jar))).append('\n');
                    Manifest mf = jar.getManifest();
                    entries.add(new JarSource(jar, p.toUri().toURL(), mf));
                    for (Path dep : manifestClassPath(p, mf)) {
                        todo.add(dep);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            closeAll(entries);
            throw e;
        }
        return new ProgramClassPath(List.copyOf(entries), versioned ? fingerprint.toString() : null);
    }

    /**
     * A hash of the jar's entries as its central directory lists them: name, CRC-32 and size
     * of each (the jar as opened, whatever happens to the file later).
     */
    private static long contentHash(JarFile jar) {
        long h = 0xcbf29ce484222325L;
        for (Enumeration<JarEntry> en = jar.entries(); en.hasMoreElements(); ) {
            JarEntry e = en.nextElement();
            h = (h ^ e.getName().hashCode()) * 0x100000001b3L;
            h = (h ^ e.getCrc()) * 0x100000001b3L;
            h = (h ^ e.getSize()) * 0x100000001b3L;
        }
        return h;
    }

    /**
     * This version of the class path: each jar's path and a hash of its entries' names,
     * CRC-32s and sizes; null if it has a directory (see {@link ClassFileCache}).
     */
    public String fingerprint() {
        return fingerprint;
    }

    private static List<Path> manifestClassPath(Path jar, Manifest mf) {
        List<Path> out = new ArrayList<>();
        String cp = mf == null ? null : mf.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
        if (cp == null) {
            return out;
        }
        Path base = jar.getParent();
        for (String s : cp.trim().split("\\s+")) {
            if (!s.isEmpty() && !s.contains(":")) {
                try {
                    out.add(base.resolve(s));
                } catch (java.nio.file.InvalidPathException notAPath) {
                    // skipped, as java skips a Class-Path entry it cannot resolve (e.g. one with a NUL)
                }
            }
        }
        return out;
    }

    /** The URLs of the entries, in search order. */
    public URL[] urls() {
        URL[] urls = new URL[entries.size()];
        for (int i = 0; i < urls.length; i++) {
            urls[i] = entries.get(i).url();
        }
        return urls;
    }

    /** The first class file (or resource) {@code resource} on the path, or null. */
    public Found find(String resource) throws IOException {
        for (Entry e : entries) {
            Found f = e.find(resource);
            if (f != null) {
                return f;
            }
        }
        return null;
    }

    /** The path as {@code java.class.path} shows it. */
    public String asClassPathProperty() {
        StringBuilder sb = new StringBuilder();
        for (Entry e : entries) {
            if (!sb.isEmpty()) {
                sb.append(java.io.File.pathSeparatorChar);
            }
            try {
                sb.append(Path.of(e.url().toURI()));
            } catch (java.net.URISyntaxException | IllegalArgumentException ex) {
                sb.append(e.url());
            }
        }
        return sb.toString();
    }

    static URL url(Path p) {
        try {
            return p.toUri().toURL();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("not a file path: " + p, e);
        }
    }

    @Override
    public void close() throws IOException {
        closeAll(entries);
    }

    /** Closes, reporting a failure unchecked (the path was only read). */
    public void closeQuietly() {
        try {
            close();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("closing the class path " + asClassPathProperty(), e);
        }
    }

    private static void closeAll(List<Entry> entries) throws IOException {
        IOException first = null;
        for (Entry e : entries) {
            if (e instanceof JarSource j) {
                try {
                    j.jar().close();
                } catch (IOException ex) {
                    if (first == null) {
                        first = ex;
                    }
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
