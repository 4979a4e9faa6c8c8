package dev.atlas.patch.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.classfile.ClassFile;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.MethodTypeDesc;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class PatchFileTest {
    static final String FP_OLD = "a".repeat(64);
    static final String FP_NEW = "b".repeat(64);

    @TempDir
    Path tmp;

    static byte[] classNamed(String internalName) {
        return ClassFile.of().build(ClassDesc.ofInternalName(internalName), cb -> cb
                .withFlags(ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL | ClassFile.ACC_SUPER)
                .withMethodBody("replaced$answer", MethodTypeDesc.of(ConstantDescs.CD_int, ClassDesc.of("p.Foo")),
                        ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC, code -> code.bipush(42).ireturn()));
    }

    /** A patch with one changed class (replaced and added methods, two new fields) and one added class. */
    public static Patch samplePatch(String description) {
        String id8 = PatchIds.PLACEHOLDER_ID.substring(0, 8);
        ClassPatch foo = new ClassPatch("p/Foo", FP_OLD, FP_NEW,
                List.of(MethodChange.of(MethodChange.Kind.REPLACED, "answer", "()I", false),
                        MethodChange.of(MethodChange.Kind.ADDED, "helper", "(Ljava/lang/String;)V", true)),
                List.of(new FieldAddition("count", "I", false, "init$count"), new FieldAddition("cache", "Ljava/util/Map;", true, null)),
                classNamed("p/Foo$$AtlasPatch$" + id8), null);
        AddedClass bar = new AddedClass("p/Foo$1$$AtlasPatch$" + id8, "p/Foo", classNamed("p/Foo$1$$AtlasPatch$" + id8));
        return PatchIds.assign(new Patch(1, PatchIds.PLACEHOLDER_ID, description, List.of(foo), List.of(bar)));
    }

    /** Unapplied changes (free text with tabs and percent signs) survive the file, and the id covers them. */
    @Test
    void unappliedChangesRoundTripAndAreHashedIntoTheId() throws Exception {
        Patch base = samplePatch("u");
        List<String> changes = List.of("p/Foo: class modifiers changed (+final); 100% reported\tnot applied", "p/Foo x: y");
        // drafts that carry base's id: assign renames base's id8 in the class names to the new id's
        Patch with = PatchIds.assign(new Patch(1, base.id(), "u", base.classes(), base.addedClasses(), List.of("r.txt"),
                changes));
        Patch withoutResources = PatchIds.assign(new Patch(1, base.id(), "u", base.classes(), base.addedClasses(),
                List.of(), changes));
        assertNotEquals(base.id(), PatchIds.idOf(new Patch(1, base.id(), "u", base.classes(), base.addedClasses(), List.of(),
                changes)), "the id covers the unapplied changes");
        assertNotEquals(with.id(), withoutResources.id());
        for (Patch p : List.of(with, withoutResources)) {
            Path file = tmp.resolve(p.id() + ".atlaspatch");
            PatchFile.write(p, file);
            Patch read = PatchFile.read(file);
            assertEquals(changes, read.unappliedChanges());
            assertEquals(p.id(), read.id());
        }
        assertThrows(IllegalArgumentException.class, () -> new Patch(1, PatchIds.PLACEHOLDER_ID, "", List.of(), List.of(),
                List.of(), List.of("a\nb")));
    }

    /** The manifest is split into lines and tab-separated fields without String.lines/split: same results. */
    @Test
    void manifestLinesMayEndInCrLfAndFieldsMayBeEmpty() throws Exception {
        Patch patch = samplePatch("");
        Map<String, byte[]> entries = new LinkedHashMap<>(PatchManifest.entries(patch));
        String manifest = new String(entries.get(PatchFile.MANIFEST), StandardCharsets.UTF_8);
        entries.put(PatchFile.MANIFEST, manifest.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8));
        Path file = tmp.resolve("crlf.atlaspatch");
        PatchArchive.write(entries, file);
        assertEquals(patch, PatchFile.read(file));
        assertEquals(List.of("a", "", "b", "c"), PatchManifest.lines("a\n\nb\r\nc"));
        assertEquals(List.of("a", "b"), PatchManifest.lines("a\rb\n"));
        assertEquals(List.of(), PatchManifest.lines(""));
    }

    @Test
    void roundTripKeepsEveryField() throws Exception {
        Patch patch = samplePatch("fix\tthe answer\n100% sure");
        assertNotEquals(PatchIds.PLACEHOLDER_ID, patch.id());
        assertTrue(patch.addedClasses().getFirst().className().endsWith("$$AtlasPatch$" + patch.id8()));
        assertEquals(patch.bodyClassName("p/Foo"),
                ClassFile.of().parse(patch.classes().getFirst().bodyClass()).thisClass().asInternalName());
        Path file = tmp.resolve("p.atlaspatch");
        PatchFile.write(patch, file);
        Patch back = PatchFile.read(file);
        assertEquals(patch, back);
        assertArrayEquals(patch.classes().getFirst().bodyClass(), back.classes().getFirst().bodyClass());
        assertEquals("fix\tthe answer\n100% sure", back.description());
    }

    /** A patch whose class gains a constructor that calls {@code initCall}. */
    private static Patch withConstructor(String initCall) {
        String id8 = PatchIds.PLACEHOLDER_ID.substring(0, 8);
        ClassPatch foo = new ClassPatch("p/Foo", FP_OLD, FP_NEW,
                List.of(new MethodChange(MethodChange.Kind.ADDED, "<init>", "(I)V", false, "added$$init", initCall)),
                List.of(), classNamed("p/Foo$$AtlasPatch$" + id8), null);
        return PatchIds.assign(new Patch(1, PatchIds.PLACEHOLDER_ID, "ctor", List.of(foo), List.of()));
    }

    @Test
    void aConstructorsCallSurvivesTheRoundTripAndCountsInTheId() throws Exception {
        Patch withCtor = withConstructor("this()V");
        Path file = tmp.resolve("ctor.atlaspatch");
        PatchFile.write(withCtor, file);
        Patch back = PatchFile.read(file);
        assertEquals(withCtor, back);
        assertEquals("this()V", back.classes().getFirst().methods().getFirst().initCall());
        assertNotEquals(withCtor.id(), withConstructor("super()V").id(), "the constructor's call is content");
    }

    @Test
    void idDependsOnContent() {
        assertNotEquals(samplePatch("a").id(), samplePatch("b").id());
        assertEquals(samplePatch("a").id(), samplePatch("a").id());
    }

    @Test
    void garbageAndTruncatedFilesAreRefused() throws Exception {
        Path garbage = tmp.resolve("garbage");
        Files.write(garbage, "this is not a zip".getBytes(StandardCharsets.UTF_8));
        MalformedPatchException e = assertThrows(MalformedPatchException.class, () -> PatchFile.read(garbage));
        assertTrue(e.getMessage().contains("ZIP"), e.getMessage());

        Path file = tmp.resolve("p.atlaspatch");
        PatchFile.write(samplePatch("x"), file);
        byte[] all = Files.readAllBytes(file);
        Path truncated = tmp.resolve("truncated");
        Files.write(truncated, Arrays.copyOf(all, all.length / 2));
        assertThrows(MalformedPatchException.class, () -> PatchFile.read(truncated));
    }

    @Test
    void missingOrUnexpectedEntriesAreNamed() throws Exception {
        Map<String, byte[]> entries = new LinkedHashMap<>(PatchManifest.entries(samplePatch("x")));
        Path file = tmp.resolve("missing");
        Map<String, byte[]> missing = new LinkedHashMap<>(entries);
        missing.remove("body/p/Foo.class");
        PatchArchive.write(missing, file);
        MalformedPatchException e = assertThrows(MalformedPatchException.class, () -> PatchFile.read(file));
        assertTrue(e.getMessage().contains("body/p/Foo.class") && e.getMessage().contains("missing"), e.getMessage());

        Map<String, byte[]> extra = new LinkedHashMap<>(entries);
        extra.put("evil/Payload.class", new byte[] {1});
        PatchArchive.write(extra, file);
        e = assertThrows(MalformedPatchException.class, () -> PatchFile.read(file));
        assertTrue(e.getMessage().contains("evil/Payload.class"), e.getMessage());

        Map<String, byte[]> noManifest = new LinkedHashMap<>(entries);
        noManifest.remove(PatchFile.MANIFEST);
        PatchArchive.write(noManifest, file);
        e = assertThrows(MalformedPatchException.class, () -> PatchFile.read(file));
        assertTrue(e.getMessage().contains(PatchFile.MANIFEST), e.getMessage());
    }

    @Test
    void aChangedManifestOrClassIsRefusedByTheIdCheck() throws Exception {
        Map<String, byte[]> entries = new LinkedHashMap<>(PatchManifest.entries(samplePatch("x")));
        String manifest = new String(entries.get(PatchFile.MANIFEST), StandardCharsets.UTF_8);
        entries.put(PatchFile.MANIFEST, manifest.replace("description\tx", "description\ty").getBytes(StandardCharsets.UTF_8));
        Path file = tmp.resolve("changed");
        PatchArchive.write(entries, file);
        MalformedPatchException e = assertThrows(MalformedPatchException.class, () -> PatchFile.read(file));
        assertTrue(e.getMessage().contains("does not match the content"), e.getMessage());

        Map<String, byte[]> bad = new LinkedHashMap<>(PatchManifest.entries(samplePatch("x")));
        bad.put(PatchFile.MANIFEST, (manifest + "method\tREPLACED\tx\t()V\tinstance\treplaced$x\n").getBytes(StandardCharsets.UTF_8));
        PatchArchive.write(bad, file);
        e = assertThrows(MalformedPatchException.class, () -> PatchFile.read(file));
        assertTrue(e.getMessage().contains("line"), e.getMessage());
    }

    @Test
    void modelRejectsBadValues() {
        assertThrows(IllegalArgumentException.class, () -> new Patch(2, PatchIds.PLACEHOLDER_ID, "", List.of(), List.of()));
        assertThrows(IllegalArgumentException.class, () -> new Patch(1, "xyz", "", List.of(), List.of()));
        assertThrows(IllegalArgumentException.class, () -> MethodChange.of(MethodChange.Kind.ADDED, "<init>", "()V", false));
        assertThrows(IllegalArgumentException.class,
                () -> new MethodChange(MethodChange.Kind.ADDED, "m", "()V", false, "replaced$m"));
        assertThrows(IllegalArgumentException.class,
                () -> new MethodChange(MethodChange.Kind.ADDED, "m", "()V", false, "added$m", "super()V"));
        assertThrows(IllegalArgumentException.class,
                () -> new MethodChange(MethodChange.Kind.ADDED, "<init>", "()V", false, "added$$init", "super(I)I"));
        assertThrows(IllegalArgumentException.class,
                () -> new MethodChange(MethodChange.Kind.ADDED, "<init>", "()V", false, "added$$init", "base()V"));
        assertThrows(IllegalArgumentException.class, () -> new FieldAddition("f", "not a descriptor", false, null));
        assertTrue(new AddedClass("a/X", "b/Y", new byte[0]).inNewPackage(), "a class of a package new to the old build");
        assertFalse(new AddedClass("a/X", "a/Y", new byte[0]).inNewPackage());
        assertThrows(IllegalArgumentException.class, () -> new Patch(1, PatchIds.PLACEHOLDER_ID, "", List.of(), List.of(),
                List.of("a\nb")));
        assertThrows(IllegalArgumentException.class, () -> new ClassPatch("p/Foo", FP_OLD, FP_NEW,
                List.of(MethodChange.of(MethodChange.Kind.REPLACED, "m", "()V", false)), List.of(), null, null));
    }

    @Test
    void everySingleByteChangeIsRefusedCleanlyOrHarmless() throws Exception {
        Path file = tmp.resolve("p.atlaspatch");
        Patch patch = samplePatch("x");
        PatchFile.write(patch, file);
        byte[] good = Files.readAllBytes(file);
        int refused = 0;
        for (int pos = 0; pos < good.length; pos++) {
            byte[] bad = good.clone();
            bad[pos] ^= 0x10;
            Path damaged = tmp.resolve("damaged");
            Files.write(damaged, bad);
            try {
                assertEquals(patch, PatchFile.read(damaged), "a change at byte " + pos + " was read as another patch");
            } catch (MalformedPatchException expected) {
                refused++;
            }
        }
        assertTrue(refused > good.length / 3, refused + " of " + good.length + " refused");
    }
}
