package dev.atlas.patch.format;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * The archive layer of a patch file: a ZIP archive read into its entries (name to bytes)
 * within the limits of {@link PatchFile}, and written back (reproducibly, through a
 * temporary file moved into place). Knows nothing of the manifest's grammar
 * ({@link PatchManifest}).
 *
 * <p>Implementation notes: every limit is checked while inflating, before anything larger is
 * held (a ZIP bomb declares small sizes). Stateless and thread-safe.
 */
final class PatchArchive {
    private PatchArchive() {
    }

    static void write(Map<String, byte[]> entries, Path file) throws IOException {
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

    static Map<String, byte[]> read(Path file) throws IOException, MalformedPatchException {
        if (!Files.isRegularFile(file)) {
            throw new java.nio.file.NoSuchFileException(file.toString(), null, "no patch file there");
        }
        long fileSize = Files.size(file);
        if (fileSize > PatchFile.MAX_TOTAL_BYTES) {
            throw new MalformedPatchException(file + ": refused, the file has " + fileSize + " bytes; the limit is "
                    + PatchFile.MAX_TOTAL_BYTES + " bytes (MAX_TOTAL_BYTES)");
        }
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            if (zip.size() > PatchFile.MAX_ENTRIES) {
                throw new MalformedPatchException(file + ": refused, " + zip.size() + " entries; the limit is "
                        + PatchFile.MAX_ENTRIES + " (MAX_ENTRIES)");
            }
            long total = 0;
            Enumeration<? extends ZipEntry> all = zip.entries();
            for (ZipEntry ze : Collections.list(all)) {
                if (ze.isDirectory()) {
                    throw new MalformedPatchException(file + ": unexpected directory entry '" + ze.getName() + "'");
                }
                byte[] data;
                try (InputStream in = zip.getInputStream(ze)) {
                    data = readLimited(file, ze, in, PatchFile.MAX_TOTAL_BYTES - total);
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
                    + PatchFile.MANIFEST + "'): " + e.getMessage(), e);
        } catch (IOException e) {
            if (e instanceof java.io.EOFException || String.valueOf(e.getMessage()).contains("zip")) {
                throw new MalformedPatchException(file + ": truncated or not a ZIP archive: " + e.getMessage(), e);
            }
            throw e;
        }
        if (!entries.containsKey(PatchFile.MANIFEST)) {
            throw new MalformedPatchException(file + ": no entry '" + PatchFile.MANIFEST + "' (expected the patch manifest)");
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
        long entryLimit = ze.getName().equals(PatchFile.MANIFEST) ? PatchFile.MAX_MANIFEST_BYTES : PatchFile.MAX_ENTRY_BYTES;
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
                throw overLimit(file, ze, limit + 1, entryLimit, limit);   // inflating stopped here: "more than"
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    private static MalformedPatchException overLimit(Path file, ZipEntry ze, long size, long entryLimit, long limit) {
        return new MalformedPatchException(file + ": refused, entry '" + ze.getName() + "' has " + (size == limit + 1
                ? "more than " + limit : size) + " uncompressed bytes; the limit is " + (limit == entryLimit
                ? entryLimit + " bytes per " + (entryLimit == PatchFile.MAX_MANIFEST_BYTES ? "manifest (MAX_MANIFEST_BYTES)"
                        : "entry (MAX_ENTRY_BYTES)")
                : PatchFile.MAX_TOTAL_BYTES + " bytes in all entries (MAX_TOTAL_BYTES)"));
    }

}
