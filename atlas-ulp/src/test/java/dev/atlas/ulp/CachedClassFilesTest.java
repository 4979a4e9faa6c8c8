package dev.atlas.ulp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.classfile.ClassFile;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.MethodTypeDesc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static dev.atlas.ulp.HostFixture.run;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A program started again on an unchanged jar defines its classes from the host's cache of
 * rewritten class files (and still gets fresh statics); a jar with other code under the same
 * class names is a new version, read again.
 */
class CachedClassFilesTest {

    /** A jar whose v.Main increments a static counter, then prints {@code text} and the counter, and exits 3. */
    private static void writeJar(Path jar, String text) throws Exception {
        ClassDesc main = ClassDesc.of("v.Main");
        ClassDesc printStream = ClassDesc.of("java.io.PrintStream");
        byte[] bytes = ClassFile.of().build(main, cb -> cb
                .withFlags(ClassFile.ACC_PUBLIC)
                .withField("count", ConstantDescs.CD_int, ClassFile.ACC_STATIC)
                .withMethodBody("main", MethodTypeDesc.of(ConstantDescs.CD_void, ConstantDescs.CD_String.arrayType()),
                        ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC, code -> code
                                .getstatic(main, "count", ConstantDescs.CD_int).iconst_1().iadd()
                                .putstatic(main, "count", ConstantDescs.CD_int)
                                .getstatic(ClassDesc.of("java.lang.System"), "out", printStream)
                                .ldc(text)
                                .invokevirtual(printStream, "print", MethodTypeDesc.of(ConstantDescs.CD_void, ConstantDescs.CD_String))
                                .getstatic(ClassDesc.of("java.lang.System"), "out", printStream)
                                .getstatic(main, "count", ConstantDescs.CD_int)
                                .invokevirtual(printStream, "println", MethodTypeDesc.of(ConstantDescs.CD_void, ConstantDescs.CD_int))
                                .iconst_3()
                                .invokestatic(ClassDesc.of("java.lang.System"), "exit", MethodTypeDesc.of(ConstantDescs.CD_void, ConstantDescs.CD_int))
                                .return_()));
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "v.Main");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, mf)) {
            j.putNextEntry(new JarEntry("v/Main.class"));
            j.write(bytes);
            j.closeEntry();
        }
    }

    @Test
    void aSecondRunOnAnUnchangedJarDefinesTheCachedRewrittenClasses(@TempDir Path dir) throws Exception {
        Path jar = dir.resolve("v.jar");
        writeJar(jar, "version A ");
        ProgramSpec spec = ProgramSpec.ofJar(jar, List.of());
        try (ProgramHost host = ProgramHost.create()) {
            assertEquals(new HostFixture.Run(3, "version A 1\n", ""), run(host, spec));
            assertEquals(0, host.classFiles().hits(), "the first run reads the jar");
            assertEquals(new HostFixture.Run(3, "version A 1\n", ""), run(host, spec), "statics are fresh, exit still rewritten");
            assertEquals(1, host.classFiles().hits(), "the second run defines v.Main from the cache");
        }
    }

    @Test
    void aJarRewrittenInPlaceWithOtherCodeIsReadAgain(@TempDir Path dir) throws Exception {
        Path jar = dir.resolve("v.jar");
        writeJar(jar, "version A ");
        ProgramSpec spec = ProgramSpec.ofJar(jar, List.of());
        try (ProgramHost host = ProgramHost.create()) {
            assertEquals("version A 1\n", run(host, spec).out());
            writeJar(jar, "version B ");   // same size, same path, same file, maybe the same modification time
            long misses = host.classFiles().misses();
            assertEquals("version B 1\n", run(host, spec).out());
            assertEquals(misses + 1, host.classFiles().misses());
            assertEquals(0, host.classFiles().hits());
        }
    }

    @Test
    void twentyConcurrentRunsOnOneJarShareOneCopyOfItsClassFiles(@TempDir Path dir) throws Exception {
        Path jar = dir.resolve("v.jar");
        writeJar(jar, "version A ");
        ProgramSpec spec = ProgramSpec.ofJar(jar, List.of());
        try (ProgramHost host = ProgramHost.create()) {
            assertEquals("version A 1\n", run(host, spec).out());
            long size = host.classFiles().size();
            List<HostFixture.Started> runs = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                runs.add(HostFixture.start(host, spec, InputStream.nullInputStream()));
            }
            for (HostFixture.Started s : runs) {
                assertEquals(new HostFixture.Run(3, "version A 1\n", ""), s.await());
            }
            assertEquals(size, host.classFiles().size(), "the class file is held once");
            assertEquals(20, host.classFiles().hits());
            assertEquals(1, host.classFiles().misses());
        }
    }
}
