package dev.atlas.it.servers;

import dev.atlas.cli.CliRun;
import dev.atlas.testsupport.SourceCompiler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Changes that only Spring's start-up could make take effect are refused by {@code atlas patch build}
 * with the annotation and the remedy, against the real Spring annotations: a new {@code @GetMapping}
 * method, a new {@code @Autowired} field, a new {@code @Service} class, a new {@code @Bean} method, a changed
 * {@code @GetMapping} path. (No server needed: the
 * builder decides from the two builds.)
 */
class FrameworkMetadataIT {
    static final String CONTROLLER = """
            package it.meta;
            import org.springframework.web.bind.annotation.GetMapping;
            import org.springframework.web.bind.annotation.RestController;
            @RestController
            public class MetaController {
                @GetMapping("/a") public String a() { return "a"; }
            }
            """;

    @TempDir
    Path tmp;

    @Test
    void aNewRequestMappingIsRefusedAtBuildTime() throws IOException {
        CliRun r = build(CONTROLLER, CONTROLLER.replace("@GetMapping(\"/a\")",
                "@GetMapping(\"/b\") public String b() { return \"b\"; }\n    @GetMapping(\"/a\")"), null);
        assertNotEquals(0, r.exitCode(), r::toString);
        String all = r.out() + r.err();
        assertTrue(all.contains("b()Ljava/lang/String;: new method annotated "
                + "[@org.springframework.web.bind.annotation.GetMapping(value={\"/b\"})]"), all);
        assertTrue(all.contains("frameworks never register it") && all.contains("remedy: restart"), all);
    }

    @Test
    void aNewInjectedFieldAndANewServiceClassAreRefused() throws IOException {
        String v2 = CONTROLLER.replace("public class MetaController {", """
                public class MetaController {
                    @org.springframework.beans.factory.annotation.Autowired private MetaHelper helper;""")
                .replace("return \"a\";", "return \"a\" + helper.get();");
        CliRun r = build(CONTROLLER, v2, """
                package it.meta;
                @org.springframework.stereotype.Service
                public class MetaHelper { public String get() { return "h"; } }
                """);
        assertNotEquals(0, r.exitCode(), r::toString);
        String all = r.out() + r.err();
        assertTrue(all.contains("helper: new field annotated "
                + "[@org.springframework.beans.factory.annotation.Autowired]"), all);
        assertTrue(all.contains("it/meta/MetaHelper: new class annotated @org.springframework.stereotype.Service"), all);
    }

    @Test
    void aNewBeanMethodAndAChangedMappingPathAreRefused() throws IOException {
        String config = """
                package it.meta;
                import org.springframework.context.annotation.Bean;
                import org.springframework.context.annotation.Configuration;
                import org.springframework.web.bind.annotation.GetMapping;
                @Configuration
                public class MetaController {
                    @Bean public String greeting() { return "hello"; }
                    @GetMapping("/a") public String a() { return "a"; }
                }
                """;
        CliRun r = build(config, config.replace("@Bean public String greeting()",
                "@Bean public Integer answer() { return 42; }\n    @Bean public String greeting()")
                .replace("@GetMapping(\"/a\")", "@GetMapping(\"/a2\")"), null);
        assertNotEquals(0, r.exitCode(), r::toString);
        String all = r.out() + r.err();
        assertTrue(all.contains("answer()Ljava/lang/Integer;: new method annotated "
                + "[@org.springframework.context.annotation.Bean]"), all);
        assertTrue(all.contains("a()Ljava/lang/String;: method annotations changed, added "
                + "[@org.springframework.web.bind.annotation.GetMapping(value={\"/a2\"})], removed "
                + "[@org.springframework.web.bind.annotation.GetMapping(value={\"/a\"})]"), all);
    }

    @Test
    void aChangedBodyUnderUnchangedAnnotationsBuilds() throws IOException {
        CliRun r = build(CONTROLLER, CONTROLLER.replace("return \"a\";", "return \"a2\";"), null);
        assertEquals(0, r.exitCode(), r::toString);
    }

    private CliRun build(String v1, String v2, String v2Extra) throws IOException {
        Path d1 = compile("v1", v1, null);
        Path d2 = compile("v2", v2, v2Extra);
        return AtlasCli.run("patch", "build", d1.toString(), d2.toString(), "-o", tmp.resolve("p.atlaspatch").toString(),
                "--include", "it.meta.**");
    }

    private Path compile(String name, String controller, String extra) {
        Map<String, String> sources = new LinkedHashMap<>();
        sources.put("it.meta.MetaController", controller);
        if (extra != null) {
            sources.put("it.meta.MetaHelper", extra);
        }
        return SourceCompiler.compileTo(tmp.resolve(name), sources, "-cp", ItEnvironment.appClasspath(), "-proc:none");
    }
}
