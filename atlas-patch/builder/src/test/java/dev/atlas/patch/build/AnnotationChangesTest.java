package dev.atlas.patch.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Changes that only a framework reading annotations could make take effect are refused at build time. */
class AnnotationChangesTest {
    @TempDir
    Path tmp;

    static final String ROUTE = """
            package web;
            @java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.RUNTIME)
            public @interface Route { String value(); }
            """;
    static final String INJECT = """
            package web;
            @java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.RUNTIME)
            public @interface Inject { }
            """;
    static final String NOTE = """
            package web;
            @java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.CLASS)
            public @interface Note { String value(); }
            """;
    static final String SERVICE = """
            package org.springframework.stereotype;
            @java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.RUNTIME)
            public @interface Service { }
            """;
    static final String V1 = """
            package p;
            public class Api {
                private String name = "x";
                @web.Route("/a") public String a() { return name; }
            }
            """;

    DiffHarness diff(String v2, Map<String, String> extraV2) {
        Map<String, String> v1 = Map.of("web.Route", ROUTE, "web.Inject", INJECT, "web.Note", NOTE,
                "org.springframework.stereotype.Service", SERVICE, "p.Api", V1);
        Map<String, String> v2s = new HashMap<>(v1);
        v2s.put("p.Api", v2);
        v2s.putAll(extraV2);
        return new DiffHarness(tmp, v1, v2s);
    }

    @Test
    void aNewAnnotatedMethodIsRefusedNamingTheAnnotation() {
        DiffHarness h = diff(V1.replace("private String name", "@web.Route(\"/b\") public String b() { return \"b\"; }\n"
                + "    private String name"), Map.of());
        assertTrue(h.refusedWith("p/Api b()Ljava/lang/String;: new method annotated "
                + "[@web.Route(value=\"/b\")]"), h.result.refusals()::toString);
        assertTrue(h.refusedWith("frameworks never register it"), h.result.refusals()::toString);
        assertTrue(h.refusedWith("remedy: restart on the new release"), h.result.refusals()::toString);
    }

    @Test
    void aChangedMappingOnAnUnchangedMethodIsRefused() {
        DiffHarness h = diff(V1.replace("\"/a\"", "\"/z\""), Map.of());
        assertTrue(h.refusedWith("p/Api a()Ljava/lang/String;: method annotations changed, added [@web.Route(value=\"/z\")], "
                + "removed [@web.Route(value=\"/a\")]"), h.result.refusals()::toString);
    }

    @Test
    void aNewInjectedFieldIsRefused() {
        DiffHarness h = diff(V1.replace("private String name", "@web.Inject private Runnable hook;\n    private String name")
                .replace("return name;", "return name + hook;"), Map.of());
        assertTrue(h.refusedWith("p/Api hook: new field annotated [@web.Inject]"),
                h.result.refusals()::toString);
    }

    @Test
    void aNewComponentClassIsRefusedAPlainNewClassIsNot() {
        String user = V1.replace("return name;", "return name + new p.Helper().get();");
        DiffHarness h = diff(user, Map.of("p.Helper", """
                package p;
                @org.springframework.stereotype.Service
                public class Helper { public String get() { return "h"; } }
                """));
        assertTrue(h.refusedWith("p/Helper: new class annotated @org.springframework.stereotype.Service"),
                h.result.refusals()::toString);
        DiffHarness plain = new DiffHarness(tmp.resolve("plain"), Map.of("p.Api", V1.replace("@web.Route(\"/a\") ", "")),
                Map.of("p.Api", user.replace("@web.Route(\"/a\") ", ""), "p.Helper", """
                        package p;
                        public class Helper { public String get() { return "h"; } }
                        """));
        assertFalse(plain.result.isRefused(), plain.result.refusals()::toString);
    }

    @Test
    void inertAndClassRetentionAnnotationsAreNotRefused() {
        DiffHarness h = diff(V1.replace("private String name", "@Deprecated @web.Note(\"n\") public String c() { return \"c\"; }\n"
                + "    private String name").replace("return name;", "return name + c();"), Map.of());
        assertFalse(h.result.isRefused(), h.result.refusals()::toString);
        assertEquals(1, h.patch().classes().size());
    }

    @Test
    void aNewPublicMethodOfAClassAdvisedAsAWholeIsRefusedAPrivateOneIsNot() {
        String tx = """
                package org.springframework.transaction.annotation;
                @java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.RUNTIME)
                public @interface Transactional { boolean readOnly() default false; }
                """;
        String v1 = """
                package p;
                @org.springframework.transaction.annotation.Transactional
                public class Ledger {
                    public String a() { return "a"; }
                }
                """;
        DiffHarness pub = new DiffHarness(tmp.resolve("public"), Map.of("org.springframework.transaction.annotation."
                + "Transactional", tx, "p.Ledger", v1), Map.of("org.springframework.transaction.annotation.Transactional",
                tx, "p.Ledger", v1.replace("public String a() {", "public String b() { return \"b\"; }\n    public String a() {")));
        assertTrue(pub.refusedWith("p/Ledger b()Ljava/lang/String;: new public method in a class annotated "
                + "@org.springframework.transaction.annotation.Transactional: Spring advises"), pub.result.refusals()::toString);
        assertTrue(pub.refusedWith("would run without that advice"), pub.result.refusals()::toString);
        DiffHarness priv = new DiffHarness(tmp.resolve("private"), Map.of("org.springframework.transaction.annotation."
                + "Transactional", tx, "p.Ledger", v1), Map.of("org.springframework.transaction.annotation.Transactional",
                tx, "p.Ledger", v1.replace("public String a() { return \"a\"; }",
                        "private String b() { return \"b\"; }\n    public String a() { return b(); }")));
        assertFalse(priv.result.isRefused(), priv.result.refusals()::toString);
    }
}
