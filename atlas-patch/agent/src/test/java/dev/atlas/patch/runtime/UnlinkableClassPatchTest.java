package dev.atlas.patch.runtime;

import dev.atlas.patch.classfile.ClassFingerprint;
import dev.atlas.patch.format.ClassPatch;
import dev.atlas.patch.format.MethodChange;
import dev.atlas.patch.format.Patch;
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
 * A patch whose new code for a class names a class the process does not have (log4j-core's
 * {@code JmsAppender$Builder} without JMS on the class path): deferred when the class itself
 * never linked (its bytecode does not verify without the missing class), the rest of the patch
 * applied and the deferral reported; refused with the remedy when the class may link and run.
 */
class UnlinkableClassPatchTest {
    static final Duration LONG = Duration.ofSeconds(30);
    static final AtomicInteger IDS = new AtomicInteger(0x7100);
    /** The optional dependency: compiled against, never in the process's loader. */
    static final String MISSING = """
            package opt;
            public class MissingException extends Exception {
            }
            """;
    static final String SHOP = """
            package app;
            public class Shop {
                public String tag() { return "1"; }
            }
            """;
    /** Catches the missing exception: the verifier must load it to check the handler, so the class never links. */
    static final String BUILDER = """
            package app;
            public class Builder {
                public String build() {
                    try {
                        opt.Api.call();
                        return "built";
                    } catch (opt.MissingException e) {
                        return "failed";
                    }
                }
            }
            """;
    /** Names the missing class only in code the verifier does not check against it: it links, and runs. */
    static final String SENDER = """
            package app;
            public class Sender {
                public String send() { return "sent"; }
                public Object problem() { return new opt.MissingException(); }
            }
            """;
    /** Names both missing classes in code the verifier does not check against them (as log4j-core's JsonConfiguration names Jackson): it links. */
    static final String PARSER = """
            package app;
            public class Parser {
                public String parse() { return "old"; }
                public Object problem() throws Exception { opt.Api.call(); return new opt.MissingException(); }
            }
            """;
    /** New code that names the missing classes where the verifier does not need them. */
    static final String LAZY_BODY = """
                    public static String replaced$%s(%s self) throws Exception {
                        if (self == null) {
                            opt.Api.call();
                            Object unused = new opt.MissingException();
                        }
                        return "new";
                    }
            """;
    /** New code whose verification needs the missing exception (a handler for it). */
    static final String CATCHING_BODY = """
                    public static String replaced$%s(%s self) {
                        try {
                            opt.Api.call();
                            return "new";
                        } catch (opt.MissingException e) {
                            return "new failure";
                        }
                    }
            """;
    static final String API = """
            package opt;
            public class Api {
                public static void call() throws MissingException {
                }
            }
            """;

    final PatchPipeline pipeline = new PatchPipeline(new CodeViews(), dev.atlas.patch.jit.JitPriorityWindow.off());
    final CodeViews code = pipeline.views();

    @AfterEach
    void closePipeline() {
        pipeline.close();
    }

    static Map<String, byte[]> optional() {
        return SourceCompiler.compile(Map.of("opt.MissingException", MISSING, "opt.Api", API));
    }

    static Map<String, byte[]> v1() {
        return SourceCompiler.compile(Map.of("app.Shop", SHOP, "app.Builder", BUILDER, "app.Sender", SENDER, "app.Parser", PARSER),
                optional());
    }

    /** A loader with app's classes, without opt's, Shop, Builder and Sender loaded (none linked by that). */
    InstrumentingLoader loader(Map<String, byte[]> classes) throws ClassNotFoundException {
        CodeInstrumenter ins = new CodeInstrumenter(code.registry(), new BoundaryMatcher(List.of()));
        InstrumentingLoader l = new InstrumentingLoader("unlinkable-" + IDS.incrementAndGet(), classes,
                new ClassSelector(List.of("app.**"), List.of()), ins);
        for (String c : List.of("app.Shop", "app.Builder", "app.Sender", "app.Parser")) {
            l.loadClass(c);
        }
        return l;
    }

    /** A patch as the builder makes it: Shop.tag() returns "2", and {@code cls}'s {@code method} gets new code naming opt.MissingException. */
    static Patch patch(Map<String, byte[]> v1, String cls, String method) {
        return patch(v1, cls, method, CATCHING_BODY);
    }

    static Patch patch(Map<String, byte[]> v1, String cls, String method, String bodyTemplate) {
        int n = IDS.incrementAndGet();
        String id = String.format("%08x%08x", n, n);
        String id8 = id.substring(0, 8);
        Map<String, byte[]> cp = new HashMap<>(v1);
        cp.putAll(optional());
        byte[] shopBody = SourceCompiler.compile(Map.of("app.Shop$$AtlasPatch$" + id8, """
                package app;
                public class Shop$$AtlasPatch$%s {
                    public static String replaced$tag(Shop self) { return "2"; }
                }
                """.formatted(id8)), cp).get("app/Shop$$AtlasPatch$" + id8);
        byte[] otherBody = SourceCompiler.compile(Map.of("app." + cls + "$$AtlasPatch$" + id8, """
                package app;
                public class %s$$AtlasPatch$%s {
                %s
                }
                """.formatted(cls, id8, bodyTemplate.formatted(method, cls))), cp).get("app/" + cls + "$$AtlasPatch$" + id8);
        ClassPatch shop = new ClassPatch("app/Shop", ClassFingerprint.of(v1.get("app/Shop")), "%064x".formatted(2),
                List.of(new MethodChange(MethodChange.Kind.REPLACED, "tag", "()Ljava/lang/String;", false, "replaced$tag")),
                List.of(), shopBody, null);
        ClassPatch other = new ClassPatch("app/" + cls, ClassFingerprint.of(v1.get("app/" + cls)), "%064x".formatted(3),
                List.of(new MethodChange(MethodChange.Kind.REPLACED, method, "()Ljava/lang/String;", false, "replaced$" + method)),
                List.of(), otherBody, null);
        return new Patch(1, id, "optional dependency", List.of(shop, other), List.of());
    }

    static String call(ClassLoader loader, String cls, String method) throws Throwable {
        Class<?> c = loader.loadClass(cls);
        Object o = c.getConstructor().newInstance();
        return (String) MethodHandles.publicLookup().findVirtual(c, method, MethodType.methodType(String.class)).invoke(o);
    }

    @Test
    void aClassThatNeverLinkedIsDeferredAndTheRestOfThePatchApplies() throws Throwable {
        Map<String, byte[]> v1 = v1();
        InstrumentingLoader loader = loader(v1);
        assertEquals("1", call(loader, "app.Shop", "tag"));
        assertThrows(NoClassDefFoundError.class, () -> call(loader, "app.Builder", "build"),
                "the old Builder does not link without opt.MissingException");
        PatchApplication a = pipeline.apply(patch(v1, "Builder", "build"));
        a.migration().await(LONG);
        assertEquals("2", call(loader, "app.Shop", "tag"), "the rest of the patch is in effect");
        assertEquals(1, a.replacedMethods(), "only Shop.tag() was replaced");
        assertEquals(1, a.unappliedChanges().size(), a.unappliedChanges()::toString);
        String line = a.unappliedChanges().getFirst();
        assertTrue(line.startsWith("app.Builder: deferred, its new code not loaded; the class keeps its old code, which cannot"
                + " run: "), line);
        assertTrue(line.contains("does not verify without class opt.MissingException"), line);
    }

    @Test
    void aClassThatMayLinkIsRefusedWithTheRemedyAndNothingChanges() throws Throwable {
        Map<String, byte[]> v1 = v1();
        InstrumentingLoader loader = loader(v1);
        assertEquals("sent", call(loader, "app.Sender", "send"), "Sender links and runs without opt.MissingException");
        PatchRejectedException e = assertThrows(PatchRejectedException.class, () -> pipeline.apply(patch(v1, "Sender", "send")));
        assertTrue(e.getMessage().contains("its new code in app.Sender$$AtlasPatch$"), e.getMessage());
        assertTrue(e.getMessage().contains("refers to class opt.Api, which this process does not have. Class app.Sender"
                + " itself may link and run in this process, so its new code cannot be left out. Remedy: put the library that"
                + " holds opt.Api on the class path"), e.getMessage());
        assertTrue(e.getMessage().contains("atlas patch build --exclude app.Sender"), e.getMessage());
        assertEquals("1", call(loader, "app.Shop", "tag"), "nothing was changed");
        assertEquals("sent", call(loader, "app.Sender", "send"));
    }

    @Test
    void newCodeNamingMissingClassesTheRunningClassNamesTooAppliesAndResolvesThemLazily() throws Throwable {
        Map<String, byte[]> v1 = v1();
        InstrumentingLoader loader = loader(v1);
        assertEquals("old", call(loader, "app.Parser", "parse"));
        PatchApplication a = pipeline.apply(patch(v1, "Parser", "parse", LAZY_BODY));
        a.migration().await(LONG);
        assertEquals("new", call(loader, "app.Parser", "parse"), "the new code runs; it reaches no missing class");
        assertEquals("2", call(loader, "app.Shop", "tag"));
        assertEquals(List.of(), a.unappliedChanges());
    }

    @Test
    void newCodeThatCannotBeDefinedWithoutAMissingClassIsRefusedWhenTheClassMayLink() throws Throwable {
        Map<String, byte[]> v1 = v1();
        InstrumentingLoader loader = loader(v1);
        assertEquals("old", call(loader, "app.Parser", "parse"));
        PatchRejectedException e = assertThrows(PatchRejectedException.class, () -> pipeline.apply(patch(v1, "Parser", "parse")));
        assertTrue(e.getMessage().contains("does not load: java.lang.NoClassDefFoundError: opt/MissingException. Class app.Parser"
                + " itself may link and run in this process"), e.getMessage());
        assertEquals("1", call(loader, "app.Shop", "tag"), "nothing was changed");
    }

    @Test
    void onlyAMissingClassTheVerifierNeedsMakesAClassUnlinkable() throws Throwable {
        Map<String, byte[]> v1 = v1();
        InstrumentingLoader loader = loader(v1);
        String builder = UnlinkableClass.whyItCannotLink(code.registry().loaded("app/Builder").getFirst());
        assertNotNull(builder);
        assertNull(UnlinkableClass.whyItCannotLink(code.registry().loaded("app/Sender").getFirst()));
        assertNull(UnlinkableClass.whyItCannotLink(code.registry().loaded("app/Shop").getFirst()));
        assertSame(loader, code.registry().loaded("app/Builder").getFirst().loader());
    }
}
