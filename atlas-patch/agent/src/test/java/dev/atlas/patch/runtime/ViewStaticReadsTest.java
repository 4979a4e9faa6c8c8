package dev.atlas.patch.runtime;

import dev.atlas.patch.classfile.ClassFingerprint;
import dev.atlas.patch.format.AddedClass;
import dev.atlas.patch.format.ClassPatch;
import dev.atlas.patch.format.FieldAddition;
import dev.atlas.patch.format.MethodChange;
import dev.atlas.patch.format.Patch;
import dev.atlas.patch.format.StaticStateSummary;
import dev.atlas.patch.instrument.BoundaryMatcher;
import dev.atlas.patch.instrument.ClassSelector;
import dev.atlas.patch.instrument.CodeInstrumenter;
import dev.atlas.patch.testing.InstrumentingLoader;
import dev.atlas.testsupport.SourceCompiler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Static fields a patch gives the new view a value of its own (a shadow copy, or a field of a
 * holder class), read by code outside the patch that is loaded after the apply: in the new
 * view the new view's value (as the new release's tests expect, comparing a singleton field
 * with what a patched factory returns), elsewhere the running field.
 */
class ViewStaticReadsTest {
    static final Duration LONG = Duration.ofSeconds(30);
    static final AtomicInteger IDS = new AtomicInteger(0x7100);
    static final String CONF = """
            package app;
            public class Conf {
                public static final Object INSTANCE = "old";
                public static Object instance() { return INSTANCE; }
            }
            """;
    /** Loaded only when a test asks: after the apply. */
    static final String LATER = """
            package app;
            public class Later {
                public static Object read() { return Conf.INSTANCE; }
            }
            """;

    final PatchPipeline pipeline = new PatchPipeline(new CodeViews(), dev.atlas.patch.jit.JitPriorityWindow.off());
    final CodeViews code = pipeline.views();
    final Map<String, byte[]> v1 = new HashMap<>(SourceCompiler.compile(Map.of("app.Conf", CONF, "app.Later", LATER)));

    @AfterEach
    void closePipeline() {
        pipeline.close();
    }

    InstrumentingLoader loader() throws ClassNotFoundException {
        CodeInstrumenter ins = new CodeInstrumenter(code.registry(), new BoundaryMatcher(List.of()));
        InstrumentingLoader l = new InstrumentingLoader("statics-" + IDS.incrementAndGet(), v1,
                new ClassSelector(List.of("app.**"), List.of()), ins);
        Class.forName("app.Conf", true, l);
        return l;
    }

    /** The body class: instance() returns {@code returned}, plus {@code extra} members; compiled against Conf. */
    byte[] body(String id8, String returned, String extra, Map<String, byte[]> more) {
        String name = "Conf$$AtlasPatch$" + id8;
        Map<String, byte[]> cp = new HashMap<>(more);
        cp.put("app/Conf", v1.get("app/Conf"));
        return SourceCompiler.compile(Map.of("app." + name, """
                package app;
                public class %s {
                    public static Object replaced$instance() { return %s; }
                    %s
                }
                """.formatted(name, returned, extra)), cp).get("app/" + name);
    }

    static String id() {
        int n = IDS.incrementAndGet();
        return String.format("%08x%08x", n, n);
    }

    MethodChange instance() {
        return new MethodChange(MethodChange.Kind.REPLACED, "instance", "()Ljava/lang/Object;", true, "replaced$instance");
    }

    /** The shape of a changed field initialiser: a shadow copy atlas$view$INSTANCE built by init$atlas$view$INSTANCE(). */
    Patch copyPatch() {
        String id = id();
        String copy = StaticStateSummary.VIEW_COPY_PREFIX + "INSTANCE";
        byte[] body = body(id.substring(0, 8), "\"new\"", "public static Object init$atlas$view$INSTANCE() { return \"new\"; }", Map.of());
        ClassPatch cp = new ClassPatch("app/Conf", ClassFingerprint.of(v1.get("app/Conf")), "%064x".formatted(7),
                List.of(instance()), List.of(new FieldAddition(copy, "Ljava/lang/Object;", true, "init$atlas$view$INSTANCE")), body, null);
        return new Patch(1, id, "copy", List.of(cp), List.of());
    }

    /** The shape of a changed static block: a holder class whose initialiser builds the view's INSTANCE. */
    Patch holderPatch() {
        String id = id();
        String holder = "Conf" + StaticStateSummary.HOLDER_MARKER + id.substring(0, 8);
        Map<String, byte[]> h = SourceCompiler.compile(Map.of("app." + holder, """
                package app;
                public class %s {
                    public static Object INSTANCE;
                    public static final String %s = "";
                    static { INSTANCE = new StringBuilder("new"); }
                }
                """.formatted(holder, StaticStateSummary.RESOURCES_FIELD)));
        byte[] body = body(id.substring(0, 8), holder + ".INSTANCE", "public static void added$atlas$initializeView() {}", h);
        MethodChange init = new MethodChange(MethodChange.Kind.ADDED, StaticStateSummary.INITIALIZER, "()V", true, "added$atlas$initializeView");
        ClassPatch cp = new ClassPatch("app/Conf", ClassFingerprint.of(v1.get("app/Conf")), "%064x".formatted(8),
                List.of(instance(), init), List.of(), body, null);
        return new Patch(1, id, "holder", List.of(cp), List.of(new AddedClass("app/" + holder, "app/Conf", h.get("app/" + holder))));
    }

    static Object call(ClassLoader l, String c, String m) throws Throwable {
        return MethodHandles.publicLookup().findStatic(Class.forName(c, true, l), m, MethodType.methodType(Object.class)).invoke();
    }

    void readsTheViewsValueInTheViewAndTheRunningOneAfterARollback(Patch p) throws Throwable {
        InstrumentingLoader l = loader();
        pipeline.apply(p).migration().await(LONG);
        Object viewValue = call(l, "app.Conf", "instance");
        assertEquals("new", viewValue.toString(), "the patch's code reads the view's value");
        assertSame(viewValue, call(l, "app.Later", "read"), "a class loaded after the apply reads the same object");
        pipeline.rollback().migration().await(LONG);
        assertEquals("old", call(l, "app.Conf", "instance"));
        assertEquals("old", call(l, "app.Later", "read"), "after the rollback: the running field");
    }

    @Test
    void aShadowCopyIsWhatCodeLoadedAfterTheApplyReads() throws Throwable {
        readsTheViewsValueInTheViewAndTheRunningOneAfterARollback(copyPatch());
    }

    @Test
    void aHolderFieldIsWhatCodeLoadedAfterTheApplyReads() throws Throwable {
        readsTheViewsValueInTheViewAndTheRunningOneAfterARollback(holderPatch());
    }
}
