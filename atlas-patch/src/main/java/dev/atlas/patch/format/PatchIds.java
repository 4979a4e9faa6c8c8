package dev.atlas.patch.format;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
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
 * {@snippet :
 * Patch draft = new Patch(1, PatchIds.PLACEHOLDER_ID, "fix", classes, added);
 * Patch patch = PatchIds.assign(draft);
 * assert PatchIds.idOf(patch).equals(patch.id());
 * }
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
            classes.add(new ClassPatch(c.className(), c.expectedFingerprint(), c.newFingerprint(), c.methods(),
                    c.addedFields(), c.bodyClass() == null ? null : replace(c.bodyClass(), from, to), c.transferHook()));
        }
        List<AddedClass> added = new ArrayList<>();
        for (AddedClass a : draft.addedClasses()) {
            added.add(new AddedClass(a.className().replace(MARKER + from, MARKER + to), a.hostClassName(),
                    replace(a.bytes(), from, to)));
        }
        return new Patch(draft.formatVersion(), id, draft.description(), classes, added);
    }

    /** SHA-256 of the canonical content, with the id8 normalised to the placeholder. */
    static byte[] contentDigest(Patch patch) {
        String from = patch.id8();
        String to = PLACEHOLDER_ID.substring(0, 8);
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(buffer)) {
            out.writeInt(patch.formatVersion());
            string(out, patch.description());
            out.writeInt(patch.classes().size());
            for (ClassPatch c : patch.classes()) {
                string(out, c.className());
                string(out, c.expectedFingerprint());
                string(out, c.newFingerprint());
                out.writeInt(c.methods().size());
                for (MethodChange m : c.methods()) {
                    string(out, m.kind().name());
                    string(out, m.name());
                    string(out, m.descriptor());
                    out.writeBoolean(m.isStatic());
                    string(out, m.bodyMethodName());
                }
                out.writeInt(c.addedFields().size());
                for (FieldAddition f : c.addedFields()) {
                    string(out, f.name());
                    string(out, f.descriptor());
                    out.writeBoolean(f.isStatic());
                    string(out, f.initializerMethod());
                }
                bytes(out, c.bodyClass() == null ? null : replace(c.bodyClass(), from, to));
                string(out, c.transferHook());
            }
            out.writeInt(patch.addedClasses().size());
            for (AddedClass a : patch.addedClasses()) {
                string(out, a.className().replace(MARKER + from, MARKER + to));
                string(out, a.hostClassName());
                bytes(out, replace(a.bytes(), from, to));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sha256(buffer.toByteArray());
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

    private static void string(DataOutputStream out, String s) throws IOException {
        bytes(out, s == null ? null : s.getBytes(StandardCharsets.UTF_8));
    }

    private static void bytes(DataOutputStream out, byte[] b) throws IOException {
        if (b == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(b.length);
            out.write(b);
        }
    }

    private static byte[] replace(byte[] bytes, String fromId8, String toId8) {
        if (fromId8.equals(toId8)) {
            return bytes;
        }
        byte[] from = (MARKER + fromId8).getBytes(StandardCharsets.US_ASCII);
        byte[] to = (MARKER + toId8).getBytes(StandardCharsets.US_ASCII);
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

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
