package dev.atlas.patch.runtime;

import dev.atlas.patch.classfile.ClassFingerprint;
import dev.atlas.patch.format.AddedClass;
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
 * Classes a patch adds are defined under their own names where the loader has no class of
 * that name, so that code loaded after the apply (the new release's tests, classes loaded
 * later, {@code Class.forName}) reaches them; elsewhere they keep the patch's renamed form,
 * and the apply says why.
 */
class AddedClassNamesTest {
    static final Duration LONG = Duration.ofSeconds(30);
    static final AtomicInteger IDS = new AtomicInteger(0x4000);
    static final String SHOP = """
            package app;
            public class Shop {
                public String tag() { return "1"; }
            }
            """;
    /** Compiled against the new release's Extra; in the loader, but loaded only when a test asks. */
    static final String LATER = """
            package app;
            public class Later {
                public static String value() { return Extra.value(); }
            }
            """;
    static final String EXTRA = """
            package app;
            public class Extra {
                static final StringBuilder STATE = new StringBuilder();
                public static String value() { return "%s" + STATE; }
                public static void mark() { STATE.append('+'); }
            }
            """;

    final PatchPipeline pipeline = new PatchPipeline(new CodeViews(), dev.atlas.patch.jit.JitPriorityWindow.off());
    final CodeViews code = pipeline.views();

    @AfterEach
    void closePipeline() {
        pipeline.close();
    }

    /** A loader with Shop and Later, and {@code extra} as its own app.Extra when not null. */
    InstrumentingLoader loader(String extraValue) {
        Map<String, byte[]> classes = new HashMap<>(SourceCompiler.compile(Map.of("app.Shop", SHOP)));
        Map<String, byte[]> extra = SourceCompiler.compile(Map.of("app.Extra", EXTRA.formatted(extraValue == null ? "?" : extraValue)));
        classes.put("app/Later", SourceCompiler.compile(Map.of("app.Later", LATER), extra).get("app/Later"));
        if (extraValue != null) {
            classes.putAll(extra);
        }
        CodeInstrumenter ins = new CodeInstrumenter(code.registry(), new BoundaryMatcher(List.of()));
        InstrumentingLoader l = new InstrumentingLoader("names-" + IDS.incrementAndGet(), classes,
                new ClassSelector(List.of("app.**"), List.of()), ins);
        try {
            l.loadClass("app.Shop");
        } catch (ClassNotFoundException e) {
            throw new AssertionError(e);
        }
        return l;
    }

    /**
     * A patch as the builder makes it: Shop.tag() returns Extra.value(), Extra added, renamed
     * {@code app/Extra$$AtlasPatch$<id8>} and returning {@code value}.
     */
    static Patch addingExtra(Map<String, byte[]> v1, String value) {
        int n = IDS.incrementAndGet();
        String id = String.format("%08x%08x", n, n);
        String id8 = id.substring(0, 8);
        String extra = "Extra$$AtlasPatch$" + id8;
        String body = "Shop$$AtlasPatch$" + id8;
        Map<String, byte[]> added = SourceCompiler.compile(Map.of("app." + extra, EXTRA.formatted(value).replace("class Extra", "class " + extra)));
        Map<String, byte[]> cp = new HashMap<>(added);
        cp.put("app/Shop", v1.get("app/Shop"));
        byte[] bodyBytes = SourceCompiler.compile(Map.of("app." + body, """
                package app;
                public class %s {
                    public static String replaced$tag(Shop self) { return %s.value(); }
                    public static %s make() { return new %s(); }
                }
                """.formatted(body, extra, extra, extra)), cp).get("app/" + body);
        MethodChange tag = new MethodChange(MethodChange.Kind.REPLACED, "tag", "()Ljava/lang/String;", false, "replaced$tag");
        ClassPatch shop = new ClassPatch("app/Shop", ClassFingerprint.of(v1.get("app/Shop")), "%064x".formatted(value.hashCode()),
                List.of(tag), List.of(), bodyBytes, null);
        return new Patch(1, id, "Extra " + value, List.of(shop), List.of(new AddedClass("app/" + extra, "app/Shop", added.get("app/" + extra))));
    }

    static Map<String, byte[]> v1() {
        return SourceCompiler.compile(Map.of("app.Shop", SHOP));
    }

    static String tag(ClassLoader loader) throws Throwable {
        Class<?> shop = loader.loadClass("app.Shop");
        Object s = shop.getConstructor().newInstance();
        return (String) MethodHandles.publicLookup().findVirtual(shop, "tag", MethodType.methodType(String.class)).invoke(s);
    }

    static String call(ClassLoader loader, String className, String method) throws Throwable {
        Class<?> c = Class.forName(className, true, loader);
        return String.valueOf(MethodHandles.publicLookup().findStatic(c, method, MethodType.methodType(
                method.equals("mark") ? void.class : String.class)).invoke());
    }

    @Test
    void anAddedClassIsReachableByItsOwnNameFromCodeLoadedAfterTheApply() throws Throwable {
        InstrumentingLoader loader = loader(null);
        assertEquals("1", tag(loader));
        PatchApplication a = pipeline.apply(addingExtra(v1(), "2"));
        a.migration().await(LONG);
        assertEquals("2", tag(loader), "the patch's code runs the added class");
        Class<?> extra = Class.forName("app.Extra", false, loader);
        assertEquals("app.Extra", extra.getName());
        assertSame(loader, extra.getClassLoader());
        assertEquals("2", call(loader, "app.Later", "value"), "a class loaded after the apply links to it by name");
        assertEquals(List.of("app.Extra: defined under its own name"), a.addedClassNames());
    }

    @Test
    void reapplyingAfterARollbackReusesTheClassWithItsStaticState() throws Throwable {
        InstrumentingLoader loader = loader(null);
        Patch p = addingExtra(v1(), "2");
        pipeline.apply(p).migration().await(LONG);
        Class<?> first = Class.forName("app.Extra", false, loader);
        call(loader, "app.Extra", "mark");
        pipeline.rollback().migration().await(LONG);
        assertEquals("1", tag(loader));
        PatchApplication again = pipeline.apply(p);
        again.migration().await(LONG);
        assertSame(first, Class.forName("app.Extra", false, loader));
        assertEquals("2+", tag(loader), "the one class, with its static state");
        assertTrue(again.addedClassNames().getFirst().startsWith("app.Extra: defined under its own name (the class an "
                + "earlier apply of this patch defined"), again.addedClassNames()::toString);
    }

    @Test
    void anotherPatchAddingTheClassWithOtherBytesKeepsItsRenamedFormAndSaysWhy() throws Throwable {
        InstrumentingLoader loader = loader(null);
        Patch first = addingExtra(v1(), "2");
        pipeline.apply(first).migration().await(LONG);
        pipeline.rollback().migration().await(LONG);
        Patch second = addingExtra(v1(), "3");
        PatchApplication a = pipeline.apply(second);
        a.migration().await(LONG);
        assertEquals("3", tag(loader), "the second patch's code runs its own class");
        assertEquals("2", call(loader, "app.Later", "value"), "the name keeps the first patch's class");
        String line = a.addedClassNames().getFirst();
        assertTrue(line.startsWith("app.Extra: defined as app.Extra$$AtlasPatch$" + second.id8() + ", because patch "
                + first.id() + " defined a class of that name"), line);
    }

    @Test
    void aNameTheLoaderAlreadyHasKeepsTheRenamedFormAndTheLoadersClass() throws Throwable {
        InstrumentingLoader loader = loader("0");
        Class<?> own = loader.loadClass("app.Extra");
        PatchApplication a = pipeline.apply(addingExtra(v1(), "2"));
        a.migration().await(LONG);
        assertEquals("2", tag(loader));
        assertSame(own, Class.forName("app.Extra", false, loader));
        assertEquals("0", call(loader, "app.Later", "value"));
        String line = a.addedClassNames().getFirst();
        assertTrue(line.contains("because its class loader already has a class of that name"), line);
    }

    @Test
    void theRewriteRenamesWholeNamesInDescriptorsAndLeavesOtherNamesAndHoldersAlone() {
        Patch p = addingExtra(v1(), "2");
        String holder = "app/Shop$atlas$ViewStatics$$AtlasPatch$" + p.id8();
        Patch withHolder = new Patch(1, p.id(), "", p.classes(), List.of(p.addedClasses().getFirst(),
                new AddedClass(holder, "app/Shop", p.addedClasses().getFirst().bytes())));
        AddedClassNames n = AddedClassNames.choose(withHolder, new ClassLoader(null) {}, new MemberFixups(code.registry(), code.shadowFields()));
        String s = "$$AtlasPatch$" + p.id8();
        assertEquals("(Lapp/Extra;[Lapp/Extra;)Lapp/Extra;", n.descriptor("(Lapp/Extra" + s + ";[Lapp/Extra" + s + ";)Lapp/Extra" + s + ";"));
        assertEquals("app/Extra", n.descriptor("app/Extra" + s));
        assertEquals("(DLapp/Extra;ILapp/Extra;[JLapp/Extra;)V",
                n.descriptor("(DLapp/Extra" + s + ";ILapp/Extra" + s + ";[JLapp/Extra" + s + ";)V"), "after primitive types");
        assertEquals("Ljava/util/List<Lapp/Extra;>;", n.descriptor("Ljava/util/List<Lapp/Extra" + s + ";>;"));
        for (String untouched : List.of("Lx/app/Extra" + s + ";", "Lapp/Shop" + s + ";", "L" + holder + ";",
                "Lapp/Extra" + s + "x;", "Lapp/XExtra" + s + ";", "app.Extra" + s)) {
            assertEquals(untouched, n.descriptor(untouched));
        }
        byte[] renamed = n.bytes(p.addedClasses().getFirst().bytes());
        assertEquals("app/Extra", java.lang.classfile.ClassFile.of().parse(renamed).thisClass().asInternalName());
        byte[] body = n.bytes(p.classes().getFirst().bodyClass());
        var model = java.lang.classfile.ClassFile.of().parse(body);
        assertEquals("app/Shop" + s, model.thisClass().asInternalName(), "a body class keeps its name");
        assertTrue(model.methods().stream().anyMatch(m -> m.methodType().stringValue().equals("()Lapp/Extra;")));
    }
}
