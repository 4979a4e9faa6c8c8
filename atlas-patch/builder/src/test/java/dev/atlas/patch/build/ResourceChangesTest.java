package dev.atlas.patch.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atlas.patch.Fixtures;
import dev.atlas.patch.format.Patch;
import dev.atlas.patch.format.PatchFile;
import dev.atlas.patch.format.PatchIds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resources a release changes (a properties file, a service registration) are not carried by a
 * patch: the build names every one, the patch file records them, and inspect lists them, so none
 * is dropped silently; build metadata (manifest, Maven descriptors, legal texts) is left out.
 */
class ResourceChangesTest {
    static final String CODE = "package rc;\npublic class Conf { public static String v() { return \"1\"; } }\n";

    @Test
    void everyChangedAddedOrRemovedResourceIsNamedRecordedAndListed(@TempDir Path tmp) throws Exception {
        Path v1 = Fixtures.compile(tmp.resolve("v1"), Map.of("rc.Conf", CODE));
        Path v2 = Fixtures.compile(tmp.resolve("v2"), Map.of("rc.Conf", CODE.replace("\"1\"", "\"2\"")));
        write(v1, "rc/conf.properties", "a=1");
        write(v2, "rc/conf.properties", "a=2");
        write(v1, "rc/same.txt", "x");
        write(v2, "rc/same.txt", "x");
        write(v1, "rc/gone.txt", "old");
        write(v2, "rc/new.txt", "new");
        write(v1, "META-INF/services/java.lang.Runnable", "rc.A");
        write(v2, "META-INF/services/java.lang.Runnable", "rc.B");
        write(v1, "META-INF/MANIFEST.MF", "Implementation-Version: 1");
        write(v2, "META-INF/MANIFEST.MF", "Implementation-Version: 2");
        write(v1, "META-INF/maven/rc/rc/pom.properties", "version=1");
        write(v2, "META-INF/maven/rc/rc/pom.properties", "version=2");
        write(v2, "META-INF/NOTICE.txt", "2");

        BuildResult result = PatchBuilder.diff(v1, v2, BuildOptions.defaults());
        assertFalse(result.isRefused(), () -> result.refusals().toString());
        List<String> expected = List.of("META-INF/services/java.lang.Runnable", "rc/conf.properties", "rc/gone.txt", "rc/new.txt");
        Patch patch = result.patchOrThrow();
        assertEquals(expected, patch.uncarriedResources());
        assertTrue(result.notes().contains("4 resource(s) that the new build adds, changes or removes are NOT carried by the "
                + "patch (code in every view, patched code included, reads the running release's; the patch records them, "
                + "and inspect and apply name them): " + String.join(", ", expected)), result.notes()::toString);

        Path file = tmp.resolve("p.atlaspatch");
        PatchFile.write(patch, file);
        assertEquals(expected, PatchFile.read(file).uncarriedResources(), "recorded in the file");
        String described = PatchDescription.render(file);
        assertTrue(described.contains("Resources NOT carried (4; the new release adds, changes or removes them, and code in "
                + "every view, patched code included, reads the running release's):\n  META-INF/services/java.lang.Runnable\n"
                + "  rc/conf.properties\n  rc/gone.txt\n  rc/new.txt\n"), described);

        Patch without = new Patch(patch.formatVersion(), patch.id(), patch.description(), patch.classes(), patch.addedClasses());
        assertNotEquals(PatchIds.idOf(without), patch.id(), "the list is part of the content the id hashes");
        assertThrows(IllegalArgumentException.class, () -> new Patch(patch.formatVersion(), patch.id(), patch.description(),
                patch.classes(), patch.addedClasses(), List.of("a\tb")));
    }

    private static void write(Path root, String path, String text) throws Exception {
        Path p = root.resolve(path);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }
}
