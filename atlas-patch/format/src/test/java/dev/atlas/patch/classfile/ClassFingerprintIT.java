package dev.atlas.patch.classfile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atlas.patch.Fixtures;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeTransform;
import java.lang.classfile.Opcode;
import java.lang.classfile.constantpool.ConstantPoolBuilder;
import java.lang.classfile.constantpool.PoolEntry;
import java.lang.classfile.constantpool.Utf8Entry;
import java.lang.classfile.instruction.ConstantInstruction;
import java.lang.classfile.instruction.LoadInstruction;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassFingerprintIT {
    static final String SOURCE = """
            package p;
            public class Sample {
                private int count;
                static final String NAME = "sample";
                public int add(int a, int b) {
                    int s = a + b + count;
                    for (int i = 0; i < 3; i++) { s += i * 1000; }
                    String t = "x" + s;
                    try { return Integer.parseInt(t.substring(1)); } catch (RuntimeException e) { return -1; }
                }
                static long big() { return 123456789012L + 3; }
                double d(double x) { return x * 2.5; }
                Runnable r() { return () -> System.out.println(NAME); }
            }
            """;

    @TempDir
    Path tmp;

    byte[] compile(String dir, String source, String... opts) {
        return Fixtures.classes(Fixtures.compile(tmp.resolve(dir), Map.of("p.Sample", source), opts)).get("p/Sample");
    }

    @Test
    void debugInformationDoesNotCount() {
        byte[] withDebug = compile("g", SOURCE, "-g");
        byte[] without = compile("none", SOURCE, "-g:none");
        assertFalse(Arrays.equals(withDebug, without), "the fixture must really differ in bytes");
        assertEquals(ClassFingerprint.of(withDebug), ClassFingerprint.of(without));
        assertEquals(64, ClassFingerprint.of(without).length());
    }

    @Test
    void constantPoolOrderAndInstructionFormsDoNotCount() {
        byte[] original = compile("g", SOURCE, "-g");
        ClassModel model = ClassFile.of().parse(original);
        // a new constant pool whose first entries are the original's UTF8 entries, reversed
        ConstantPoolBuilder pool = ConstantPoolBuilder.of();
        List<Utf8Entry> utf8 = new ArrayList<>();
        for (PoolEntry e : model.constantPool()) {
            if (e instanceof Utf8Entry u) {
                utf8.add(u);
            }
        }
        Collections.reverse(utf8);
        pool.utf8Entry("padding-entry-shifts-every-index");
        utf8.forEach(u -> pool.utf8Entry(u.stringValue()));
        pool.intEntry(42);
        CodeTransform wideForms = (cb, e) -> {
            switch (e) {
                case LoadInstruction l when l.slot() < 4 -> cb.with(LoadInstruction.of(l.opcode().kind() == Opcode.Kind.LOAD
                        ? wide(l.opcode()) : l.opcode(), l.slot()));
                case ConstantInstruction.LoadConstantInstruction c when c.opcode() == Opcode.LDC ->
                        cb.with(ConstantInstruction.ofLoad(Opcode.LDC_W, c.constantEntry()));
                default -> cb.with(e);
            }
        };
        byte[] rebuilt = ClassFile.of().build(pool.classEntry(model.thisClass().asSymbol()), pool,
                cb -> model.forEach(cb::with));
        rebuilt = ClassFile.of().transformClass(ClassFile.of().parse(rebuilt), ClassTransform.transformingMethodBodies(wideForms));
        assertFalse(Arrays.equals(original, rebuilt));
        assertTrue(containsOpcode(rebuilt, Opcode.LDC_W) && !containsOpcode(rebuilt, Opcode.LDC),
                "the transform must have produced ldc_w");
        assertTrue(containsOpcode(original, Opcode.ILOAD_1) && !containsOpcode(rebuilt, Opcode.ILOAD_1),
                "the transform must have produced iload 1");
        assertEquals(ClassFingerprint.of(original), ClassFingerprint.of(rebuilt));
    }

    private static Opcode wide(Opcode op) {
        return switch (op) {
            case ILOAD_0, ILOAD_1, ILOAD_2, ILOAD_3 -> Opcode.ILOAD;
            case ALOAD_0, ALOAD_1, ALOAD_2, ALOAD_3 -> Opcode.ALOAD;
            case DLOAD_0, DLOAD_1, DLOAD_2, DLOAD_3 -> Opcode.DLOAD;
            case LLOAD_0, LLOAD_1, LLOAD_2, LLOAD_3 -> Opcode.LLOAD;
            case FLOAD_0, FLOAD_1, FLOAD_2, FLOAD_3 -> Opcode.FLOAD;
            default -> op;
        };
    }

    private static boolean containsOpcode(byte[] bytes, Opcode op) {
        return ClassFile.of().parse(bytes).methods().stream().flatMap(m -> m.code().stream())
                .flatMap(c -> c.elementStream()).anyMatch(e -> e instanceof java.lang.classfile.Instruction i && i.opcode() == op);
    }

    @Test
    void aChangedConstantOrMemberChangesTheFingerprint() {
        byte[] v1 = compile("a", SOURCE, "-g");
        byte[] v2 = compile("b", SOURCE.replace("i * 1000", "i * 1001"), "-g");
        byte[] v3 = compile("c", SOURCE.replace("private int count;", "private short count;"), "-g");
        assertNotEquals(ClassFingerprint.of(v1), ClassFingerprint.of(v2));
        assertNotEquals(ClassFingerprint.of(v1), ClassFingerprint.of(v3));
    }

    @Test
    void garbageIsRejectedWithTheReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClassFingerprint.of(new byte[] {1, 2, 3}));
        assertTrue(e.getMessage().contains("not a class file"), e.getMessage());
    }

    @Test
    void bytesReconstitutedByHotSpotAtRetransformationHaveTheSameFingerprint() throws Exception {
        Path classes = Fixtures.compile(tmp.resolve("g"), Map.of("p.Sample", SOURCE), "-g");
        Path agent = tmp.resolve("probe-agent.jar");
        java.util.jar.Manifest mf = new java.util.jar.Manifest();
        mf.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().putValue("Premain-Class", ReconstitutionProbe.class.getName());
        mf.getMainAttributes().putValue("Can-Retransform-Classes", "true");
        try (var out = new java.util.jar.JarOutputStream(java.nio.file.Files.newOutputStream(agent), mf)) {
            out.flush();
        }
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(javaBin.toString(), "-javaagent:" + agent, "-cp", System.getProperty("java.class.path"),
                ReconstitutionProbe.class.getName(), classes.toString(), "p.Sample").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS), "probe did not finish");
        assertEquals(0, p.exitValue(), out);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("original=(\\w+) reconstituted=(\\w+) sameBytes=(\\w+)").matcher(out);
        assertTrue(m.find(), out);
        assertEquals("false", m.group(3), "HotSpot must really have rebuilt the bytes for this test to mean anything");
        assertEquals(m.group(1), m.group(2), out);
    }
}
