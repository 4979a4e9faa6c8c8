package dev.atlas.patch.build;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Instance fields added to or retyped in a class that Java serialization writes field by field
 * are refused (an object deserialized in the new view would have no value in them, commons-csv
 * 1.9.0's {@code CSVFormat.delimiter}); static, transient and constant-initialised final fields,
 * classes that are not serializable and classes serialized through {@code writeReplace} are not.
 */
class SerializedAddedFieldsTest {
    @TempDir
    Path tmp;

    static final String FORMAT_V1 = """
            package sf;
            public final class Format %s {
                private final char delimiter;
                public Format(char delimiter) { this.delimiter = delimiter; }
                public String getDelimiter() { return String.valueOf(delimiter); }
            }
            """;
    static final String FORMAT_V2 = """
            package sf;
            public final class Format %s {
                private final String delimiter;
                public Format(char delimiter) { this.delimiter = String.valueOf(delimiter); }
                public String getDelimiter() { return delimiter.toString(); }
            }
            """;
    static final String COUNTER_V1 = """
            package sf;
            public class Counter %s {
                private int count;
                public void add() { count++; }
                public int count() { return count; }
            %s}
            """;

    private DiffHarness diff(String name, String v1, String v2) {
        return new DiffHarness(tmp.resolve(Integer.toHexString((v1 + v2).hashCode())), Map.of(name, v1), Map.of(name, v2));
    }

    @Test
    void aRetypedFieldOfASerializableClassIsRefusedAndOfAnotherClassAccepted() {
        DiffHarness s = diff("sf.Format", FORMAT_V1.formatted("implements java.io.Serializable"),
                FORMAT_V2.formatted("implements java.io.Serializable"));
        assertTrue(s.refusedWith("sf/Format delimiter: field retyped (Ljava/lang/String; in the new release) to a Serializable "
                + "class: the patch keeps it beside the object, Java serialization writes and reads the loaded class's fields "
                + "only, and deserialization runs no constructor"), s.result.refusals()::toString);
        assertTrue(s.refusedWith("remedy: restart on the new release"), s.result.refusals()::toString);
        DiffHarness plain = diff("sf.Format", FORMAT_V1.formatted(""), FORMAT_V2.formatted(""));
        assertFalse(plain.result.isRefused(), plain.result.refusals()::toString);
    }

    @Test
    void anAddedInstanceFieldOfASerializableClassIsRefusedAlsoThroughItsSuperclass() {
        String extra = "    private long total; public long total() { return total; }\n";
        DiffHarness own = diff("sf.Counter", COUNTER_V1.formatted("implements java.io.Serializable", ""),
                COUNTER_V1.formatted("implements java.io.Serializable", extra).replace("count++;", "count++; total += 2;"));
        assertTrue(own.refusedWith("sf/Counter total: field the new release adds to a Serializable class"),
                own.result.refusals()::toString);
        DiffHarness inherited = diff("sf.Counter", COUNTER_V1.formatted("extends RuntimeException", ""),
                COUNTER_V1.formatted("extends RuntimeException", extra).replace("count++;", "count++; total += 2;"));
        assertTrue(inherited.refusedWith("sf/Counter total: field the new release adds to a Serializable class"),
                inherited.result.refusals()::toString);
    }

    @Test
    void staticTransientAndConstantFinalFieldsNotSerializableClassesAndWriteReplaceAreNotRefused() {
        String ser = "implements java.io.Serializable";
        for (String extra : new String[] {
                "    private static long total; public long total() { return total; }\n",
                "    private transient long total; public long total() { return total; }\n",
                "    private final int limit = 10; public int limit() { return limit; }\n"}) {
            DiffHarness h = diff("sf.Counter", COUNTER_V1.formatted(ser, ""), COUNTER_V1.formatted(ser, extra));
            assertFalse(h.result.isRefused(), () -> extra + ": " + h.result.refusals());
        }
        String list = "    private final java.util.List<String> seen = new java.util.ArrayList<>(); public int seen() { return seen.size(); }\n";
        DiffHarness mutable = diff("sf.Counter", COUNTER_V1.formatted(ser, ""), COUNTER_V1.formatted(ser, list));
        assertTrue(mutable.refusedWith("sf/Counter seen: field the new release adds to a Serializable class"),
                mutable.result.refusals()::toString);
        String replace = "    private Object writeReplace() { return Integer.valueOf(count); }\n";
        DiffHarness proxied = diff("sf.Counter", COUNTER_V1.formatted(ser, replace),
                COUNTER_V1.formatted(ser, replace + "    private long total; public long total() { return total; }\n"));
        assertFalse(proxied.result.isRefused(), proxied.result.refusals()::toString);
    }

    @Test
    void theOperatorMayAcceptDefaultsInDeserializedObjectsOfANamedClassAndIsToldWhatThatMeans() throws Exception {
        String ser = "implements java.io.Serializable";
        String extra = "    private long total; public long total() { return total; }\n";
        java.nio.file.Path v1 = dev.atlas.patch.Fixtures.compile(tmp.resolve("a1"), Map.of("sf.Counter", COUNTER_V1.formatted(ser, "")));
        java.nio.file.Path v2 = dev.atlas.patch.Fixtures.compile(tmp.resolve("a2"), Map.of("sf.Counter",
                COUNTER_V1.formatted(ser, extra).replace("count++;", "count++; total += 2;")));
        BuildResult accepted = PatchBuilder.diff(v1, v2, BuildOptions.defaults().withDeserializedDefaults(java.util.List.of("sf.Counter")));
        assertFalse(accepted.isRefused(), accepted.refusals()::toString);
        java.util.List<String> unapplied = accepted.patchOrThrow().unappliedChanges();
        assertTrue(unapplied.contains("sf/Counter: objects deserialized in the new view have the default value in [total] (the "
                + "stream carries the loaded class's fields only), where the new release has the values the stream carries: NOT "
                + "carried over (accepted with --deserialized-defaults sf.Counter)"), unapplied::toString);

        BuildResult other = PatchBuilder.diff(v1, v2, BuildOptions.defaults().withDeserializedDefaults(java.util.List.of("sf.Other")));
        assertTrue(other.refusals().stream().anyMatch(r -> r.toString().contains("sf/Other")
                && r.toString().contains("--deserialized-defaults names this class, but the patch adds or retypes no instance field")),
                other.refusals()::toString);
        assertTrue(other.refusals().stream().anyMatch(r -> r.toString().contains("sf/Counter total: field the new release adds")
                && r.toString().contains("or accept it with --deserialized-defaults sf.Counter")), other.refusals()::toString);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> BuildOptions.defaults().withDeserializedDefaults(java.util.List.of("sf/Counter")));
    }
}
