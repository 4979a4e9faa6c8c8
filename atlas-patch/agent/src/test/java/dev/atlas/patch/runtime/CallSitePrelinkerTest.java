package dev.atlas.patch.runtime;

import dev.atlas.patch.classfile.IndyRedirect;
import dev.atlas.testsupport.SourceCompiler;
import org.junit.jupiter.api.Test;

import java.lang.classfile.Attributes;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.MethodModel;
import java.lang.classfile.attribute.CodeAttribute;
import java.lang.classfile.attribute.StackMapTableAttribute;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.DirectMethodHandleDesc;
import java.lang.constant.DynamicCallSiteDesc;
import java.lang.constant.DynamicConstantDesc;
import java.lang.constant.MethodHandleDesc;
import java.lang.constant.MethodTypeDesc;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.AccessFlag;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Prelinking the call sites of new code: the redirected class runs exactly as the original
 * would, its code and stack maps are untouched, and damaged input is refused.
 */
class CallSitePrelinkerTest {
    private static final String SOURCE = """
            package dev.atlas.patch.runtime;
            public class Sites {
                public static String concat(String a, int b) { return "a=" + a + ", b=" + b; }
                public static String again(String a, int b) { return "a=" + a + ", b=" + b; }
                public static java.util.function.Supplier<String> lambda(String s) { return () -> s + "!"; }
                public static String twice(String s) {
                    java.util.function.UnaryOperator<String> f = x -> x + x;
                    return f.apply(s);
                }
                public static String kind(Object o) {
                    return switch (o) {
                        case Integer i when i > 10 -> "big " + i;
                        case Integer i -> "int " + i;
                        case String s -> "string " + s.length();
                        default -> "other";
                    };
                }
                public static int plain(int x) { return x * 2; }
            }
            """;

    @Test
    void redirectedClassRunsLikeTheOriginal() throws Throwable {
        byte[] original = SourceCompiler.compile(Map.of("dev.atlas.patch.runtime.Sites", SOURCE), Map.of())
                .get("dev/atlas/patch/runtime/Sites");
        CallSitePrelinker.Rewritten rewritten = CallSitePrelinker.rewrite(original, 1);
        assertTrue(rewritten.sites().size() >= 5, "concat, lambda and switch sites: " + rewritten.sites());

        MethodHandles.Lookup body = MethodHandles.lookup().defineHiddenClass(rewritten.bytes(), true);
        CallSitePrelinker.link(body, rewritten, "test");
        Class<?> c = body.lookupClass();

        MethodType concatType = MethodType.methodType(String.class, String.class, int.class);
        assertEquals("a=x, b=3", body.findStatic(c, "concat", concatType).invoke("x", 3));
        assertEquals("a=y, b=4", body.findStatic(c, "again", concatType).invoke("y", 4));
        @SuppressWarnings("unchecked")
        Supplier<String> s = (Supplier<String>) body.findStatic(c, "lambda",
                MethodType.methodType(Supplier.class, String.class)).invoke("hey");
        assertEquals("hey!", s.get());
        assertEquals("abab", body.findStatic(c, "twice", MethodType.methodType(String.class, String.class)).invoke("ab"));
        var kind = body.findStatic(c, "kind", MethodType.methodType(String.class, Object.class));
        assertEquals("big 11", kind.invoke((Object) 11));
        assertEquals("int 3", kind.invoke((Object) 3));
        assertEquals("string 2", kind.invoke((Object) "ab"));
        assertEquals("other", kind.invoke((Object) 2.0));
    }

    @Test
    void codeAndStackMapsAreUntouched() {
        byte[] original = SourceCompiler.compile(Map.of("dev.atlas.patch.runtime.Sites", SOURCE), Map.of())
                .get("dev/atlas/patch/runtime/Sites");
        byte[] redirected = CallSitePrelinker.rewrite(original, 1).bytes();
        ClassModel before = ClassFile.of().parse(original);
        ClassModel after = ClassFile.of().parse(redirected);
        assertEquals(before.methods().size(), after.methods().size());
        int framesSeen = 0;
        for (int i = 0; i < before.methods().size(); i++) {
            MethodModel b = before.methods().get(i);
            MethodModel a = after.methods().get(i);
            assertEquals(b.methodName().stringValue(), a.methodName().stringValue());
            CodeAttribute bc = b.findAttribute(Attributes.code()).orElseThrow();
            CodeAttribute ac = a.findAttribute(Attributes.code()).orElseThrow();
            assertArrayEquals(bc.codeArray(), ac.codeArray(), "code of " + b.methodName());
            assertEquals(frames(bc), frames(ac), "stack maps of " + b.methodName());
            framesSeen += frames(bc).size();
        }
        assertTrue(framesSeen > 0, "the switch has stack map frames");
    }

    private static List<String> frames(CodeAttribute code) {
        return code.findAttribute(Attributes.stackMapTable()).map(StackMapTableAttribute::entries).orElse(List.of()).stream()
                .map(f -> f.frameType() + "@" + code.labelToBci(f.target()) + " " + f.locals() + " " + f.stack())
                .toList();
    }

    @Test
    void dynamicConstantsKeepTheirBootstrapAndClassesWithoutSitesStayAsTheyAre() throws Throwable {
        ClassDesc self = ClassDesc.of("dev.atlas.patch.runtime.Condy");
        DirectMethodHandleDesc concat = MethodHandleDesc.ofMethod(DirectMethodHandleDesc.Kind.STATIC,
                ClassDesc.of("java.lang.invoke.StringConcatFactory"), "makeConcatWithConstants",
                MethodTypeDesc.of(ConstantDescs.CD_CallSite, ConstantDescs.CD_MethodHandles_Lookup, ConstantDescs.CD_String,
                        ConstantDescs.CD_MethodType, ConstantDescs.CD_String, ConstantDescs.CD_Object.arrayType()));
        byte[] bytes = ClassFile.of().build(self, cb -> cb
                .withFlags(AccessFlag.PUBLIC)
                .withMethodBody("max", MethodTypeDesc.of(ConstantDescs.CD_int), ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC, b -> b
                        .ldc(DynamicConstantDesc.ofNamed(ConstantDescs.BSM_GET_STATIC_FINAL, "MAX_VALUE", ConstantDescs.CD_int,
                                ConstantDescs.CD_Integer))
                        .ireturn())
                .withMethodBody("tag", MethodTypeDesc.of(ConstantDescs.CD_String, ConstantDescs.CD_String),
                        ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC, b -> b
                        .aload(0)
                        .invokedynamic(DynamicCallSiteDesc.of(concat, "concat",
                                MethodTypeDesc.of(ConstantDescs.CD_String, ConstantDescs.CD_String), "<\u0001>"))
                        .areturn()));
        CallSitePrelinker.Rewritten rewritten = CallSitePrelinker.rewrite(bytes, 2);
        assertEquals(1, rewritten.sites().size());
        MethodHandles.Lookup body = MethodHandles.lookup().defineHiddenClass(rewritten.bytes(), true);
        CallSitePrelinker.link(body, rewritten, "test");
        assertEquals(Integer.MAX_VALUE, (int) body.findStatic(body.lookupClass(), "max", MethodType.methodType(int.class)).invoke());
        assertEquals("<x>", body.findStatic(body.lookupClass(), "tag", MethodType.methodType(String.class, String.class)).invoke("x"));

        byte[] noSites = ClassFile.of().build(ClassDesc.of("dev.atlas.patch.runtime.NoSites"), cb -> cb
                .withMethodBody("one", MethodTypeDesc.of(ConstantDescs.CD_int), ClassFile.ACC_STATIC, b -> b.iconst_1().ireturn()));
        assertSame(noSites, IndyRedirect.redirect(noSites, "a/B", "c", 1).bytes());
    }

    @Test
    void damagedClassFilesAreRefusedWithTheReason() {
        byte[] original = SourceCompiler.compile(Map.of("dev.atlas.patch.runtime.Sites", SOURCE), Map.of())
                .get("dev/atlas/patch/runtime/Sites");
        for (int cut : List.of(3, 9, 40, original.length / 2, original.length - 3)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> IndyRedirect.redirect(Arrays.copyOf(original, cut), "a/B", "c", 1), "cut at " + cut);
            assertTrue(e.getMessage().startsWith("not a class file (" + cut + " bytes)"), e.getMessage());
        }
        byte[] badMagic = original.clone();
        badMagic[0] = 0;
        assertTrue(assertThrows(IllegalArgumentException.class, () -> IndyRedirect.redirect(badMagic, "a/B", "c", 1))
                .getMessage().contains("bad magic number"));
        byte[] badTag = original.clone();
        badTag[10] = 99;   // the first pool entry's tag
        assertTrue(assertThrows(IllegalArgumentException.class, () -> IndyRedirect.redirect(badTag, "a/B", "c", 1))
                .getMessage().contains("unknown tag 99"));
    }
}
