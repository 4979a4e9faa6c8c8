package dev.atlas.patch.format;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Patch ids are part of the file format: the digest must not change with its implementation. */
class PatchIdsTest {

    /** The canonical encoding as first written (DataOutputStream), kept here as the reference. */
    private static byte[] referenceDigest(Patch patch) throws Exception {
        String from = patch.id8();
        String to = PatchIds.PLACEHOLDER_ID.substring(0, 8);
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
                bytes(out, c.bodyClass() == null ? null : swap(c.bodyClass(), from, to));
                string(out, c.transferHook());
            }
            out.writeInt(patch.addedClasses().size());
            for (AddedClass a : patch.addedClasses()) {
                string(out, a.className().replace("$$AtlasPatch$" + from, "$$AtlasPatch$" + to));
                string(out, a.hostClassName());
                bytes(out, swap(a.bytes(), from, to));
            }
        }
        return MessageDigest.getInstance("SHA-256").digest(buffer.toByteArray());
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

    /** Every occurrence of the marked id8 replaced (ISO-8859-1 keeps one char per byte). */
    private static byte[] swap(byte[] bytes, String from, String to) {
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        return text.replace("$$AtlasPatch$" + from, "$$AtlasPatch$" + to).getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void theDigestIsTheReferenceEncodingsForEveryKindOfContent() throws Exception {
        Patch full = PatchFileTest.samplePatch("a description with ünïcødé and\ttabs");
        assertArrayEquals(referenceDigest(full), PatchIds.contentDigest(full));
        assertEquals(PatchIds.idOf(full), full.id(), "the assigned id is the digest's");

        // nulls (no body class, no transfer hook, no initializer), a static method, an empty patch
        ClassPatch bare = new ClassPatch("q/Bare", full.classes().get(0).expectedFingerprint(),
                full.classes().get(0).newFingerprint(), List.of(), List.of(new FieldAddition("flag", "Z", true, null)),
                null, null);
        Patch nulls = PatchIds.assign(new Patch(1, PatchIds.PLACEHOLDER_ID, "", List.of(bare), List.of()));
        assertArrayEquals(referenceDigest(nulls), PatchIds.contentDigest(nulls));
        assertFalse(nulls.id().equals(full.id()));
    }

    @Test
    void idsAndFingerprintsAreExactlyTheirLengthOfLowercaseHex() {
        assertTrue(PatchIds.isLowerHex("0123456789abcdef", 16));
        assertFalse(PatchIds.isLowerHex("0123456789ABCDEF", 16), "uppercase");
        assertFalse(PatchIds.isLowerHex("0123456789abcde", 16), "too short");
        assertFalse(PatchIds.isLowerHex("0123456789abcdef0", 16), "too long");
        assertFalse(PatchIds.isLowerHex("0123456789abcdeg", 16), "not hex");
        assertFalse(PatchIds.isLowerHex("0123456789abcde/", 16), "just below '0'");
        assertFalse(PatchIds.isLowerHex("0123456789abcde:", 16), "just above '9'");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Patch(1, "0123456789ABCDEF", "", List.of(), List.of()));
        assertEquals("patch id '0123456789ABCDEF' is not 16 lowercase hex digits", e.getMessage());
    }
}
