package dev.atlas.patch.instrument;

import dev.atlas.patch.runtime.CodeViews;
import dev.atlas.patch.runtime.MethodRegistry;
import dev.atlas.testsupport.SourceCompiler;
import dev.atlas.patch.testing.InstrumentingLoader;
import org.junit.jupiter.api.Test;

import java.lang.classfile.ClassFile;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Instrumented code must verify and behave exactly as before, for every method shape. */
class CodeInstrumenterTest {
    static final String SHAPES = """
            package shapes;
            import java.util.function.IntSupplier;
            public class Shapes implements Greeter {
                private long total;
                public static int sum(int a, long b, double c, float d, char e, short f, byte g, boolean h) {
                    return (int) (a + b + c + d + e + f + g + (h ? 1 : 0));
                }
                public synchronized long add(long x) { total += x; return total; }
                public void noop() {}
                public double[] arr(double d) { return new double[] {d, d}; }
                public int loopFromTheFirstInstruction(int n) {
                    int i = 0;
                    while (i < n) { i++; }
                    return i;
                }
                public String caught(boolean fail) {
                    try {
                        if (fail) throw new IllegalStateException("x");
                        return "ok";
                    } catch (IllegalStateException e) {
                        return "caught";
                    } finally {
                        total++;
                    }
                }
                public int lambda(int k) { IntSupplier s = () -> k * 2; return s.getAsInt(); }
                public String handle(String r) {           // a boundary in this test
                    if (r == null) throw new IllegalArgumentException("null request");
                    try { return inner(r); } catch (RuntimeException e) { return "recovered"; }
                }
                private String inner(String r) { if (r.equals("bad")) throw new RuntimeException(); return "r:" + r; }
            }
            """;
    static final String GREETER = """
            package shapes;
            public interface Greeter {
                default String greet(String n) { return "hello " + n; }
                static String shout(String n) { return n.toUpperCase(); }
                String handle(String r);
            }
            """;

    @Test
    void everyShapeVerifiesAndBehavesAsBefore() throws Exception {
        Map<String, byte[]> classes = SourceCompiler.compile(Map.of("shapes.Shapes", SHAPES, "shapes.Greeter", GREETER));
        CodeViews code = new CodeViews();
        MethodRegistry registry = code.registry();
        CodeInstrumenter ins = new CodeInstrumenter(registry, new BoundaryMatcher(List.of("shapes.Greeter#handle")));
        for (Map.Entry<String, byte[]> e : classes.entrySet()) {
            byte[] out = ins.instrument(getClass().getClassLoader(), e.getValue());
            assertNotNull(out, e.getKey());
            var errors = ClassFile.of().verify(out);
            assertTrue(errors.isEmpty(), e.getKey() + ": " + errors);
        }
        ClassLoader l = new InstrumentingLoader("shapes", classes, new ClassSelector(List.of("shapes.*"), List.of()), ins);
        Class<?> c = l.loadClass("shapes.Shapes");
        Object o = c.getConstructor().newInstance();
        assertEquals(1 + 2 + 3 + 4 + 'a' + 6 + 7 + 1, call(c, null, "sum", 1, 2L, 3.0, 4f, 'a', (short) 6, (byte) 7, true));
        assertEquals(5L, call(c, o, "add", 5L));
        assertEquals(12L, call(c, o, "add", 7L));
        assertNull(call(c, o, "noop"));
        assertArrayEquals(new double[] {2.5, 2.5}, (double[]) call(c, o, "arr", 2.5));
        assertEquals(10, call(c, o, "loopFromTheFirstInstruction", 10));
        assertEquals("ok", call(c, o, "caught", false));
        assertEquals("caught", call(c, o, "caught", true));
        assertEquals(14, call(c, o, "lambda", 7));
        assertEquals("hello bob", call(c, o, "greet", "bob"));
        assertEquals("BOB", call(l.loadClass("shapes.Greeter"), null, "shout", "bob"));
        assertEquals("r:x", call(c, o, "handle", "x"));
        assertEquals("recovered", call(c, o, "handle", "bad"));
        var ex = assertThrows(java.lang.reflect.InvocationTargetException.class, () -> call(c, o, "handle", (Object) null));
        assertInstanceOf(IllegalArgumentException.class, ex.getCause());
        // every request scope was closed, including the one that threw: switching is only allowed outside scopes
        var space = code.space();
        assertDoesNotThrow(() -> space.switchCurrentThread(space.defaultView()));
        var info = registry.loaded("shapes/Shapes");
        assertFalse(info.isEmpty());
        assertTrue(info.get(0).methods().stream().noneMatch(s -> s.name().startsWith("lambda$") || s.name().equals("<clinit>")),
                "synthetic lambda bodies and the static initialiser are not patchable methods");
        assertTrue(info.get(0).methods().stream().anyMatch(s -> s.name().equals("<init>")),
                "constructors are (guarded after their super(..) call)");
    }

    static final String LEGACY = """
            package legacy;
            public class Old {
                private int n;
                public Old(int start) { n = start; }
                public int count(int to) {
                    int i = n;
                    while (i < to) { i++; }
                    return i;
                }
                public static String pick(boolean b, Object o) {
                    try {
                        if (b) return String.valueOf(o);
                        throw new IllegalStateException("no");
                    } catch (IllegalStateException e) {
                        return "caught ".concat(e.getMessage());   // no invokedynamic string concatenation in the legacy class
                    }
                }
            }
            """;

    /**
     * Libraries built for Java 5 or 6 ship class files of version 49 or 50, in which the
     * guards' invokedynamic constants are illegal (the JVM's "Class file version does not
     * support constant tag 15", which made every class of commons-beanutils 1.9.3 fail to load
     * under the agent): such a class is raised to version 51 with stack map frames for every
     * method, verifies, behaves as before, and its methods are patchable.
     */
    @Test
    void aJava5Or6ClassFileIsRaisedToAVersionThatMayHoldItsGuards() throws Exception {
        byte[] modern = SourceCompiler.compile(Map.of("legacy.Old", LEGACY)).get("legacy/Old");
        for (int major : new int[] {ClassFile.JAVA_5_VERSION, ClassFile.JAVA_6_VERSION}) {
            // as javac -target 1.5 wrote it: no stack map frames at all; -target 1.6: its own frames
            ClassFile writer = ClassFile.of(major == ClassFile.JAVA_5_VERSION
                    ? ClassFile.StackMapsOption.DROP_STACK_MAPS : ClassFile.StackMapsOption.GENERATE_STACK_MAPS);
            byte[] legacy = writer.transformClass(ClassFile.of().parse(modern), (cb, ce) -> {
                if (ce instanceof java.lang.classfile.ClassFileVersion) {
                    cb.withVersion(major, 0);
                } else if (ce instanceof java.lang.classfile.MethodModel m && m.code().isPresent()) {
                    cb.transformMethod(m, java.lang.classfile.MethodTransform.transformingCode(java.lang.classfile.CodeTransform.ACCEPT_ALL));
                } else {
                    cb.with(ce);
                }
            });
            var parsed = ClassFile.of().parse(legacy);
            assertEquals(major, parsed.majorVersion());
            assertEquals(major == ClassFile.JAVA_5_VERSION, parsed.methods().stream().allMatch(m -> m.code().orElseThrow()
                    .findAttribute(java.lang.classfile.Attributes.stackMapTable()).isEmpty()), "the legacy shape of its frames");

            CodeViews code = new CodeViews();
            CodeInstrumenter ins = new CodeInstrumenter(code.registry(), new BoundaryMatcher(List.of()));
            byte[] out = ins.instrument(getClass().getClassLoader(), legacy);
            assertNotNull(out);
            var raised = ClassFile.of().parse(out);
            assertEquals(ClassFile.JAVA_7_VERSION, raised.majorVersion(), "the first version with invokedynamic");
            assertTrue(raised.methods().stream().filter(m -> m.methodName().equalsString("count")).allMatch(m -> m.code().orElseThrow()
                    .findAttribute(java.lang.classfile.Attributes.stackMapTable()).isPresent()), "frames for the loop");
            var errors = ClassFile.of().verify(out);
            assertTrue(errors.isEmpty(), major + ": " + errors);

            ClassLoader l = new InstrumentingLoader("legacy" + major, Map.of("legacy/Old", legacy),
                    new ClassSelector(List.of("legacy.*"), List.of()), ins);
            Class<?> c = l.loadClass("legacy.Old");   // before: ClassFormatError, constant tag 15
            Object o = c.getConstructor(int.class).newInstance(3);
            assertEquals(10, call(c, o, "count", 10));
            assertEquals("x", call(c, null, "pick", true, "x"));
            assertEquals("caught no", call(c, null, "pick", false, "x"));
            assertTrue(code.registry().loaded("legacy/Old").get(0).methods().stream().map(s -> s.name()).toList()
                    .containsAll(List.of("<init>", "count", "pick")), "its methods are patchable");
        }
    }

    @Test
    void aClassWithNothingPatchableIsLeftAlone() {
        Map<String, byte[]> classes = SourceCompiler.compile(Map.of("shapes.Marker", "package shapes; public interface Marker { void m(); }"));
        CodeInstrumenter ins = new CodeInstrumenter(new CodeViews().registry(), new BoundaryMatcher(List.of()));
        assertNull(ins.instrument(getClass().getClassLoader(), classes.get("shapes/Marker")));
        assertThrows(IllegalArgumentException.class, () -> ins.instrument(getClass().getClassLoader(), new byte[] {1, 2, 3}));
    }

    private static Object call(Class<?> c, Object target, String name, Object... args) throws Exception {
        List<Method> all = new java.util.ArrayList<>(List.of(c.getDeclaredMethods()));
        all.addAll(List.of(c.getMethods()));
        for (Method m : all) {
            if (m.getName().equals(name) && m.getParameterCount() == args.length) {
                m.setAccessible(true);
                return m.invoke(target, args);
            }
        }
        throw new NoSuchMethodException(name);
    }
}
