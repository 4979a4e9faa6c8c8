package dev.atlas.patch.format;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every input size is limited while reading, before anything larger is held. */
class PatchLimitsIT {
    @TempDir
    Path tmp;

    /** Reads args[0] as a patch under whatever heap the JVM was given; prints the outcome. */
    public static void main(String[] args) throws Exception {
        try {
            PatchFile.read(Path.of(args[0]));
            System.out.println("READ");
        } catch (MalformedPatchException e) {
            System.out.println("REFUSED " + e.getMessage());
        }
    }

    @Test
    @Timeout(120)
    void aZipBombIsRefusedWhileInflatingUnderASmallHeap() throws Exception {
        Path bomb = tmp.resolve("bomb.atlaspatch");
        try (OutputStream os = Files.newOutputStream(bomb); ZipOutputStream zip = new ZipOutputStream(os)) {
            zip.putNextEntry(new ZipEntry(PatchFile.MANIFEST));
            zip.write("atlas-patch\t1\n".getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry("body/p/Foo.class"));
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 2_500; i++) {   // 2.5 GB of zeros, about 2.5 MB compressed
                zip.write(zeros);
            }
            zip.closeEntry();
        }
        assertTrue(Files.size(bomb) < 4L << 20, "compressed: " + Files.size(bomb));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                PatchLimitsIT.class.getName(), bomb.toString())).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), out);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.startsWith("REFUSED ") && out.contains("'body/p/Foo.class'")
                && out.contains("the limit is " + PatchFile.MAX_ENTRY_BYTES + " bytes per entry (MAX_ENTRY_BYTES)"), out);
    }

    private Path withDescription(int chars) throws Exception {
        Path file = tmp.resolve("described-" + chars + ".atlaspatch");
        PatchFile.write(PatchFileTest.samplePatch("x".repeat(chars)), file);
        return file;
    }

    @Test
    void descriptionsAndManifestsAreLimited() throws Exception {
        PatchFile.read(withDescription(PatchFile.MAX_DESCRIPTION_CHARS));
        MalformedPatchException e = assertThrows(MalformedPatchException.class,
                () -> PatchFile.read(withDescription(PatchFile.MAX_DESCRIPTION_CHARS + 1)));
        assertTrue(e.getMessage().contains("the limit is " + PatchFile.MAX_DESCRIPTION_CHARS + " (MAX_DESCRIPTION_CHARS)"),
                e.getMessage());
        assertTrue(e.getMessage().length() < 500, "the message does not quote the description");
        MalformedPatchException big = assertThrows(MalformedPatchException.class,
                () -> PatchFile.read(withDescription(5 << 20)));
        assertTrue(big.getMessage().contains("(MAX_MANIFEST_BYTES)"), big.getMessage());
    }

    @Test
    void descriptorsThatCrashedTheJdkParserAreMalformed() {
        for (String d : new String[] {"(", ""}) {
            assertThrows(IllegalArgumentException.class, () -> MethodChange.of(MethodChange.Kind.ADDED, "m", d, true), d);
            assertThrows(IllegalArgumentException.class, () -> new FieldAddition("f", d, true, null), d);
        }
    }
}
