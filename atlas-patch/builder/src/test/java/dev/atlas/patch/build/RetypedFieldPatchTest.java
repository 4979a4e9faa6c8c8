package dev.atlas.patch.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atlas.patch.Fixtures;
import dev.atlas.patch.WithOwnPipeline;
import dev.atlas.patch.format.ClassPatch;
import dev.atlas.patch.format.FieldAddition;
import dev.atlas.patch.format.Patch;
import dev.atlas.patch.instrument.BoundaryMatcher;
import dev.atlas.patch.instrument.ClassSelector;
import dev.atlas.patch.instrument.CodeInstrumenter;
import dev.atlas.patch.testing.InstrumentingLoader;
import java.lang.classfile.ClassFile;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.MethodTypeDesc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fields whose type the new release changed (commons-csv 1.9's {@code CSVFormat.delimiter},
 * {@code char} to {@code String}; commons-lang3 3.12's {@code DurationFormatUtils.y},
 * {@code Object} to {@code String}; a constant): the new view uses a field of the new type added
 * beside the running one; a static one gets the new initialiser's value, an object's the new
 * constructor's, or, for objects created before the patch, the running value when it is an
 * instance of the new type, else the default (which the build notes say); a constant is not
 * read by new code (javac inlines it). The old view keeps the running fields; rollback returns to them.
 */
class RetypedFieldPatchTest extends WithOwnPipeline {
    static final Duration LONG = Duration.ofSeconds(30);

    static final String V1 = """
            package rt;
            public class Format {
                static final Object UNIT = java.util.List.of("ms");
                static final Object KEYS = java.util.List.of("k");
                static final char SEP = ',';
                private final char delimiter;
                private final java.util.List<String> names;
                public Format(char d) { delimiter = d; names = new java.util.ArrayList<>(); names.add("a"); }
                public String describe() { return delimiter + ":" + names + ":" + UNIT + SEP; }
            }
            """;
    static final String V2 = """
            package rt;
            public class Format {
                static final java.util.List<String> UNIT = java.util.List.of("ms", "s");
                static final java.util.List<String> KEYS = java.util.List.of("k");
                static final String SEP = ";";
                private final String delimiter;
                private final java.util.ArrayList<String> names;
                public Format(char d) { delimiter = String.valueOf(d) + d; names = new java.util.ArrayList<>(); names.add("a"); }
                public String describe() { return delimiter + ":" + names.size() + ":" + UNIT.size() + KEYS.get(0) + SEP; }
            }
            """;

    @Test
    void theNewViewUsesFieldsOfTheNewTypesBesideTheRunningOnes(@TempDir Path tmp) throws Exception {
        Path v1 = Fixtures.compile(tmp.resolve("v1"), Map.of("rt.Format", V1));
        Path v2 = Fixtures.compile(tmp.resolve("v2"), Map.of("rt.Format", V2));
        BuildResult result = PatchBuilder.diff(v1, v2, BuildOptions.defaults());
        assertFalse(result.isRefused(), () -> result.refusals().toString());
        assertTrue(result.notes().stream().anyMatch(n -> n.contains("rt/Format delimiter: field type changed from C to "
                + "Ljava/lang/String;; the new view uses a field of the new type added beside it (delimiter$atlas$retyped)")
                && n.contains("the default value of Ljava/lang/String; (the running C cannot be converted)")), result.notes()::toString);
        assertTrue(result.notes().stream().anyMatch(n -> n.contains("rt/Format names: field type changed")
                && n.contains("the running field's value when that is an instance of the new type")), result.notes()::toString);
        assertTrue(result.notes().stream().anyMatch(n -> n.contains("rt/Format SEP: field type changed from C to Ljava/lang/String;; "
                + "a constant, inlined by javac")), result.notes()::toString);
        Patch patch = result.patchOrThrow();
        ClassPatch cp = patch.classes().getFirst();
        assertEquals(List.of("KEYS$atlas$retyped", "atlas$view$UNIT", "delimiter$atlas$retyped", "names$atlas$retyped"),
                cp.addedFields().stream().map(FieldAddition::name).sorted().toList());

        ClassLoader loader = new InstrumentingLoader("rt-fields", Fixtures.classes(v1), new ClassSelector(List.of("rt.**"), List.of()),
                new CodeInstrumenter(code.registry(), new BoundaryMatcher(List.of())));
        Class<?> c = loader.loadClass("rt.Format");
        Object before = c.getConstructor(char.class).newInstance(',');
        assertEquals(",:[a]:[ms],", c.getMethod("describe").invoke(before));

        pipeline.apply(patch).migration().await(LONG);
        Object after = c.getConstructor(char.class).newInstance('|');
        assertEquals("||:1:2k;", c.getMethod("describe").invoke(after), "a new object: the new constructor's values, new types");
        assertEquals("null:1:2k;", c.getMethod("describe").invoke(before), "an object from before the patch: the list is carried, "
                + "the char cannot be (default value, as the note says)");

        pipeline.rollback().migration().await(LONG);
        assertEquals(",:[a]:[ms],", c.getMethod("describe").invoke(before), "the old view kept the running fields");
    }

    @Test
    void aRetypedConstantThatTheNewBuildReadsAsAFieldIsRefused(@TempDir Path tmp) throws Exception {
        Path o = Fixtures.compile(tmp.resolve("v1"), Map.of("rt.K", "package rt; public class K { public static final int N = 1; }"));
        Path n = Fixtures.compile(tmp.resolve("v2"), Map.of("rt.K", "package rt; public class K { public static final long N = 2L; }"));
        // javac inlines constants; another compiler (or hand-written bytecode) may read the field
        ClassDesc k = ClassDesc.of("rt.K");
        byte[] reader = ClassFile.of().build(ClassDesc.of("rt.R"), clb -> clb.withMethodBody("r", MethodTypeDesc.of(ConstantDescs.CD_long),
                ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC, cb -> cb.getstatic(k, "N", ConstantDescs.CD_long).lreturn()));
        Files.write(n.resolve("rt/R.class"), reader);
        BuildResult result = PatchBuilder.diff(o, n, BuildOptions.defaults());
        assertTrue(result.isRefused());
        assertTrue(result.refusals().stream().anyMatch(r -> r.toString().contains("rt/K N: field type changed from I to J, a constant "
                + "that rt/R.r of the new build reads as a field")), result.refusals()::toString);
    }
}
