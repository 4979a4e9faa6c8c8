package dev.atlas.patch.format;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads and writes patch files: ZIP archives holding a text manifest and class files.
 *
 * {@snippet class=dev.atlas.patch.snippets.FormatSnippets region=patch-file}
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
 * resource     path   (a resource the new build adds, changes or removes, not carried)
 * unapplied    percent-escaped text   (a change reported, not applied: Patch.unappliedChanges)
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
 * half patch. The layers: {@link PatchArchive} (the ZIP archive and its limits),
 * {@link PatchManifest} (the manifest's grammar), this class (the public entry points and the
 * certificates entry). Stateless and thread-safe.
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
        PatchArchive.write(PatchManifest.entries(patch), file);
    }

    /**
     * Reads and validates a patch file (a signature, if present, is not checked here: see
     * {@link PatchVerifier}).
     *
     * @throws MalformedPatchException naming the entry and what was expected
     */
    public static Patch read(Path file) throws IOException, MalformedPatchException {
        return PatchManifest.parse(PatchArchive.read(file));
    }

    /** The signer certificate recorded in the file, not verified; empty if unsigned. */
    public static Optional<X509Certificate> recordedSigner(Path file) throws IOException, MalformedPatchException {
        Map<String, byte[]> entries = PatchArchive.read(file);
        if (!entries.containsKey(CERTIFICATES)) {
            return Optional.empty();
        }
        List<X509Certificate> chain = certificates(entries.get(CERTIFICATES));
        return chain.isEmpty() ? Optional.empty() : Optional.of(chain.getFirst());
    }

    static List<X509Certificate> certificates(byte[] entry) throws MalformedPatchException {
        List<X509Certificate> chain = new ArrayList<>();
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            for (String line : PatchManifest.lines(new String(entry, StandardCharsets.US_ASCII))) {
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
        return PatchManifest.escape(s);
    }
}
