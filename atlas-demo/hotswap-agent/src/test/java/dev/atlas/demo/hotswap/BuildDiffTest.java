package dev.atlas.demo.hotswap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BuildDiffTest {
    @TempDir
    Path dir;

    @Test
    void changedAddedAndRemovedClasses() {
        Map<String, byte[]> v1 = Map.of("a.Same", new byte[]{1}, "a.Changed", new byte[]{2}, "a.Gone", new byte[]{3});
        Map<String, byte[]> v2 = Map.of("a.Same", new byte[]{1}, "a.Changed", new byte[]{9}, "a.New", new byte[]{4});
        BuildDiff diff = BuildDiff.between(v1, v2);
        assertEquals(List.of("a.Changed"), List.copyOf(diff.changed().keySet()));
        assertArrayEquals(new byte[]{9}, diff.changed().get("a.Changed"));
        assertEquals(List.of("a.New"), diff.added());
        assertEquals(List.of("a.Gone"), diff.removed());
    }

    @Test
    void classFilesFromAJarAndADirectoryAgree() throws IOException {
        Path classes = dir.resolve("classes");
        Files.createDirectories(classes.resolve("p"));
        Files.write(classes.resolve("p/A.class"), new byte[]{1, 2});
        Files.write(classes.resolve("p/package-info.class"), new byte[]{7});
        Files.writeString(classes.resolve("p/notes.txt"), "x");
        Path jar = dir.resolve("b.jar");
        try (OutputStream f = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(f)) {
            out.putNextEntry(new JarEntry("p/A.class"));
            out.write(new byte[]{1, 2});
            out.closeEntry();
            out.putNextEntry(new JarEntry("META-INF/versions/21/p/A.class"));
            out.write(new byte[]{5});
            out.closeEntry();
        }
        Map<String, byte[]> fromDir = ClassFiles.read(classes);
        Map<String, byte[]> fromJar = ClassFiles.read(jar);
        assertEquals(List.of("p.A"), List.copyOf(fromDir.keySet()));
        assertEquals(List.of("p.A"), List.copyOf(fromJar.keySet()));
        assertTrue(BuildDiff.between(fromDir, fromJar).changed().isEmpty());
        assertThrows(IllegalArgumentException.class, () -> ClassFiles.read(dir.resolve("missing.jar")));
    }

    @Test
    void agentArgumentsAndCommandsAreChecked() {
        assertEquals(7001, HotSwapAgent.port("port=7001"));
        assertThrows(IllegalArgumentException.class, () -> HotSwapAgent.port(null));
        assertThrows(IllegalArgumentException.class, () -> HotSwapAgent.port("port=0"));
        assertThrows(IllegalArgumentException.class, () -> HotSwapAgent.port("7001"));
        Redefiner none = new Redefiner(null, ClassLoader.getSystemClassLoader());
        assertEquals("pong", HotSwapAgent.answer("ping", none));
        assertTrue(HotSwapAgent.answer("hello", none).startsWith("error unknown command"));
        assertTrue(HotSwapAgent.answer("redefine onlyone", none).startsWith("error expected"));
        assertTrue(HotSwapAgent.answer(null, none).startsWith("error"));
    }

    @Test
    void refusalsTheAgentCanTellInAdvance() {
        Redefiner redefiner = new Redefiner(null, ClassLoader.getSystemClassLoader());
        assertTrue(redefiner.apply(new BuildDiff(Map.of(), List.of("a.New"), List.of())) instanceof Redefiner.Refused r
                && r.reason().contains("cannot add classes"));
        assertTrue(redefiner.apply(new BuildDiff(Map.of(), List.of(), List.of("a.Gone"))) instanceof Redefiner.Refused r
                && r.reason().contains("cannot remove classes"));
        assertTrue(redefiner.apply(new BuildDiff(Map.of(), List.of(), List.of())) instanceof Redefiner.Refused r
                && r.reason().contains("no class differs"));
        assertTrue(redefiner.apply(new BuildDiff(Map.of("no.such.Type", new byte[]{1}), List.of(), List.of()))
                instanceof Redefiner.Refused r && r.reason().contains("no.such.Type"));
    }
}
