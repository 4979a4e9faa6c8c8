package dev.atlas.patch.format;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Patch ids and the canonical digest that signatures cover.
 *
 * <p>The id is the first 16 hex digits of the SHA-256 of the patch's canonical content.
 * Because generated class names contain the id's first 8 digits ({@code $$AtlasPatch$<id8>}),
 * the content is hashed with those 8 digits replaced by {@code 00000000} everywhere (names
 * and class bytes): a builder first makes a draft with {@link #PLACEHOLDER_ID}, then
 * {@link #assign(Patch)} computes the id and writes it into every name and class file.
 *
 * {@snippet class=dev.atlas.patch.snippets.FormatSnippets region=patch-ids}
 *
 * <p>Implementation notes: the canonical content is a length-prefixed binary encoding of
 * every field of the model in order (no ZIP metadata), so it is independent of how the
 * file was zipped. The marker is replaced as a byte string; it has the same length, so
 * constant-pool entries stay valid.
 */
public final class PatchIds {
    /** The id of a draft patch. */
    public static final String PLACEHOLDER_ID = "0000000000000000";
    private static final String MARKER = "$$AtlasPatch$";

    private PatchIds() {
    }

    /** The id the content of {@code patch} should have. */
    public static String idOf(Patch patch) {
        return HexFormat.of().formatHex(contentDigest(patch), 0, 8);
    }

    /** True if {@code patch.id()} is the id of its content. */
    public static boolean hasValidId(Patch patch) {
        return idOf(patch).equals(patch.id());
    }

    /**
     * The patch with its real id: {@code draft}'s id8 (normally the placeholder's) replaced
     * by the computed one in the id, the added class names and every class file.
     */
    public static Patch assign(Patch draft) {
        String id = idOf(draft);
        String from = draft.id8();
        String to = id.substring(0, 8);
        List<ClassPatch> classes = new ArrayList<>();
        for (ClassPatch c : draft.classes()) {
            // descriptors name added classes too (a new field or method of an added type)
            List<MethodChange> methods = new ArrayList<>();
            for (MethodChange m : c.methods()) {
                methods.add(new MethodChange(m.kind(), m.name(), rename(m.descriptor(), from, to), m.isStatic(),
                        m.bodyMethodName(), m.initCall() == null ? null : rename(m.initCall(), from, to)));
            }
            List<FieldAddition> fields = new ArrayList<>();
            for (FieldAddition f : c.addedFields()) {
                fields.add(new FieldAddition(f.name(), rename(f.descriptor(), from, to), f.isStatic(), f.initializerMethod()));
            }
            classes.add(new ClassPatch(c.className(), c.expectedFingerprint(), c.newFingerprint(), methods,
                    fields, c.bodyClass() == null ? null : replace(c.bodyClass(), from, to), c.transferHook()));
        }
        List<AddedClass> added = new ArrayList<>();
        for (AddedClass a : draft.addedClasses()) {
            added.add(new AddedClass(a.className().replace(MARKER + from, MARKER + to), a.hostClassName(),
                    replace(a.bytes(), from, to)));
        }
        return new Patch(draft.formatVersion(), id, draft.description(), classes, added, draft.uncarriedResources(),
                draft.unappliedChanges());
    }

    /**
     * Whether {@code s} is exactly {@code length} lowercase hex digits: a plain loop, no
     * regex (patch files are read at the patch instant, see ARCHITECTURE.md).
     */
    static boolean isLowerHex(String s, int length) {
        if (s.length() != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = s.charAt(i);
            if ((c < '0' || c > '9') && (c < 'a' || c > 'f')) {
                return false;
            }
        }
        return true;
    }

    /**
     * SHA-256 of the canonical content, with the id8 normalised to the placeholder: big-endian
     * ints, booleans as one byte, strings as UTF-8, every string and byte array after its
     * length (-1 for null), fed straight into the digest.
     *
     * <p>Implementation notes: no {@code DataOutputStream}. This runs in the serving JVM when a
     * patch is read ({@code PatchFile.read} checks the id), and {@code FilterOutputStream.write},
     * which the application's I/O also runs, was measured (JFR, patch demo) throwing away its
     * compiled code at the patch instant on the unfamiliar stream class ("class_check").
     */
    static byte[] contentDigest(Patch patch) {
        String from = patch.id8();
        String to = PLACEHOLDER_ID.substring(0, 8);
        Canonical out = new Canonical();
        out.writeInt(patch.formatVersion());
        out.string(patch.description());
        out.writeInt(patch.classes().size());
        for (ClassPatch c : patch.classes()) {
            out.string(c.className());
            out.string(c.expectedFingerprint());
            out.string(c.newFingerprint());
            out.writeInt(c.methods().size());
            for (MethodChange m : c.methods()) {
                out.string(m.kind().name());
                out.string(m.name());
                out.string(rename(m.descriptor(), from, to));
                out.writeBoolean(m.isStatic());
                out.string(m.bodyMethodName());
                if (m.initCall() != null) {   // absent for every other change: ids of such patches stay as they were
                    out.string(rename(m.initCall(), from, to));
                }
            }
            out.writeInt(c.addedFields().size());
            for (FieldAddition f : c.addedFields()) {
                out.string(f.name());
                out.string(rename(f.descriptor(), from, to));
                out.writeBoolean(f.isStatic());
                out.string(f.initializerMethod());
            }
            out.bytes(c.bodyClass() == null ? null : replace(c.bodyClass(), from, to));
            out.string(c.transferHook());
        }
        out.writeInt(patch.addedClasses().size());
        for (AddedClass a : patch.addedClasses()) {
            out.string(a.className().replace(MARKER + from, MARKER + to));
            out.string(a.hostClassName());
            out.bytes(replace(a.bytes(), from, to));
        }
        if (!patch.uncarriedResources().isEmpty()) {   // absent otherwise: ids of patches without stay as they were
            out.writeInt(patch.uncarriedResources().size());
            for (String r : patch.uncarriedResources()) {
                out.string(r);
            }
        }
        if (!patch.unappliedChanges().isEmpty()) {   // absent otherwise: ids of patches without stay as they were
            if (patch.uncarriedResources().isEmpty()) {
                out.writeInt(0);   // the resource count, so that the two lists cannot be confused
            }
            out.writeInt(patch.unappliedChanges().size());
            for (String u : patch.unappliedChanges()) {
                out.string(u);
            }
        }
        return out.digest.digest();
    }

    /** The canonical encoding of {@link #contentDigest}, written into a SHA-256 digest. Single-threaded. */
    private static final class Canonical {
        final MessageDigest digest = newSha256();
        private final byte[] scratch = new byte[4];

        void writeInt(int v) {
            scratch[0] = (byte) (v >>> 24);
            scratch[1] = (byte) (v >>> 16);
            scratch[2] = (byte) (v >>> 8);
            scratch[3] = (byte) v;
            digest.update(scratch, 0, 4);
        }

        void writeBoolean(boolean v) {
            digest.update((byte) (v ? 1 : 0));
        }

        void string(String s) {
            bytes(s == null ? null : s.getBytes(StandardCharsets.UTF_8));
        }

        void bytes(byte[] b) {
            if (b == null) {
                writeInt(-1);
            } else {
                writeInt(b.length);
                digest.update(b, 0, b.length);
            }
        }
    }

    /** The bytes a signature covers: the id and the canonical digest. */
    static byte[] signedBytes(Patch patch) {
        byte[] id = ("atlas-patch-signature-v1:" + patch.id() + ":").getBytes(StandardCharsets.UTF_8);
        byte[] digest = contentDigest(patch);
        byte[] all = new byte[id.length + digest.length];
        System.arraycopy(id, 0, all, 0, id.length);
        System.arraycopy(digest, 0, all, id.length, digest.length);
        return all;
    }

    private static String rename(String descriptor, String fromId8, String toId8) {
        return descriptor.replace(MARKER + fromId8, MARKER + toId8);
    }

    private static byte[] replace(byte[] bytes, String fromId8, String toId8) {
        if (fromId8.equals(toId8)) {
            return bytes;
        }
        // UTF-8 (the same bytes for this ASCII text): the charset the application's I/O encodes
        // with, so C2's code for String.encode, which the application shares, keeps its branch
        // (US-ASCII threw that code away at the patch instant, -Xlog:deoptimization)
        byte[] from = (MARKER + fromId8).getBytes(StandardCharsets.UTF_8);
        byte[] to = (MARKER + toId8).getBytes(StandardCharsets.UTF_8);
        byte[] out = bytes.clone();
        outer:
        for (int i = 0; i + from.length <= out.length; i++) {
            for (int j = 0; j < from.length; j++) {
                if (out[i + j] != from[j]) {
                    continue outer;
                }
            }
            System.arraycopy(to, 0, out, i, to.length);
            i += from.length - 1;
        }
        return out;
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
