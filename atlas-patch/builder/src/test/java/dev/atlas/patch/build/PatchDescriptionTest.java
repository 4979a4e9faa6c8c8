package dev.atlas.patch.build;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atlas.patch.format.Patch;
import dev.atlas.patch.format.PatchFile;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PatchDescriptionTest {
    @TempDir
    Path tmp;

    @Test
    void describesMethodsFieldsClassesAndFingerprints() throws Exception {
        String v2 = PatchBuilderTest.FIELDS_V1.replace("private int count;", "private int count; private int hits = 5; static java.util.List<String> LOG;")
                .replace("return ++count;", "hits++; return ++count;")
                .replace("public static int created()", "static String label(String[] parts, long n) { return parts[0] + n; }\n public static int created()");
        DiffHarness h = DiffHarness.of(tmp, "p.Counter", PatchBuilderTest.FIELDS_V1, v2);
        Patch patch = h.patch();
        Path file = tmp.resolve("p.atlaspatch");
        PatchFile.write(patch, file);
        String text = PatchDescription.render(file);
        assertTrue(text.startsWith("Patch " + patch.id() + " (format 1): test\n"), text);
        assertTrue(text.contains("Signature: unsigned"), text);
        assertTrue(text.contains("  p.Counter\n"), text);
        assertTrue(text.contains("expects  " + patch.classes().getFirst().expectedFingerprint()), text);
        assertTrue(text.contains("replaced  int next()"), text);
        assertTrue(text.contains("added     static String label(String[], long)"), text);
        assertTrue(text.contains("Added methods are reachable from outside the patch only through direct calls in classes "
                + "loaded after the apply"), text);
        assertTrue(text.contains("field     + int hits = init$hits(this)"), text);
        assertTrue(text.contains("Added fields are reachable from outside the patch only through reads of an added static "
                + "field in classes loaded after the apply; not instance fields, not writes, and no added field through "
                + "reflection"), text);
        assertTrue(text.contains("field     + static java.util.List LOG (default value)"), text);
        assertTrue(text.contains("body      p.Counter$$AtlasPatch$" + patch.id8()), text);
        assertTrue(PatchDescription.render(patch).contains("Signature: not known"));
    }
}
