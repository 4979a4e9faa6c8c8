package dev.atlas.ulp.snippets;

import dev.atlas.ulp.LaunchException;
import dev.atlas.ulp.ProgramHost;
import dev.atlas.ulp.ProgramIo;
import dev.atlas.ulp.ProgramSpec;
import dev.atlas.ulp.RunningProgram;
import dev.atlas.ulp.client.HostStarter;
import dev.atlas.ulp.client.JavaClient;
import dev.atlas.ulp.daemon.HostPaths;
import dev.atlas.ulp.daemon.HostServer;
import dev.atlas.ulp.load.ClassFileCache;
import dev.atlas.ulp.load.ProgramClassLoader;
import dev.atlas.ulp.load.ProgramClassPath;
import dev.atlas.ulp.protocol.Frame;
import dev.atlas.ulp.protocol.FrameType;
import dev.atlas.ulp.rewrite.SystemCallRewriter;
import dev.atlas.ulp.system.CreationHooks;
import dev.atlas.ulp.system.ProgramContext;
import dev.atlas.ulp.system.ReflectivePaths;
import dev.atlas.ulp.system.Ulp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.classfile.ClassHierarchyResolver;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * The code of the {@code {@snippet}} examples in atlas-ulp's javadoc, by region: compiled
 * with the tests, so an example that no longer compiles fails the build. The javadoc shows
 * only the region ({@code {@snippet class=dev.atlas.ulp.snippets.UlpSnippets region=...}},
 * resolved through {@code --snippet-path src/test/java}).
 */
@SuppressWarnings("unused")
final class UlpSnippets {
    ProgramHost host;

    int nativeBlockingRead(ByteBuffer buffer) {
        return 0;
    }

    void programSpec() {
        // @start region=program-spec
        ProgramSpec spec = ProgramSpec.ofJar(Path.of("/tools/fmt.jar"), List.of("--check", "A.java"))
                .withCwd(Path.of("/work/project"))
                .withEnv(System.getenv());
        // @end
    }

    void hostServer() throws IOException, InterruptedException {
        // @start region=host-server
        try (ProgramHost host = ProgramHost.create();
             HostServer server = HostServer.start(host, HostPaths.forUser(System.getenv()))) {
            server.awaitStop();          // until `atlas host stop`
        }
        // @end
    }

    void classLoader(ProgramClassPath classPath, ProgramContext context, ClassLoader hostLoader, ClassFileCache cache)
            throws ClassNotFoundException {
        // @start region=class-loader
        ProgramClassLoader loader = new ProgramClassLoader("program 7", classPath, context, hostLoader, cache);
        Class<?> main = loader.loadClass("com.example.Main");
        // @end
    }

    void frame(OutputStream out, InputStream in, byte[] bytes) throws IOException {
        // @start region=frame
        Frame.write(out, FrameType.STDOUT, bytes, 0, bytes.length);
        Frame f = Frame.read(in);              // null at a clean end of stream
        // @end
    }

    void programHost() throws LaunchException, InterruptedException {
        // @start region=program-host
        try (ProgramHost host = ProgramHost.create()) {
            RunningProgram p = host.launch(ProgramSpec.ofJar(Path.of("tool.jar"), List.of("--help")),
                    new ProgramIo(InputStream.nullInputStream(), System.out, System.err));
            int status = p.awaitExit();
        }
        // @end
    }

    void javaClient() throws IOException {
        // @start region=java-client
        int status = new JavaClient(HostPaths.forUser(System.getenv()), HostStarter.ofThisJvm())
                .call(List.of("run", "tool.jar", "--help"), System.getenv(), "/work", System.in, System.out, System.err);
        // @end
    }

    void ulp(byte[] bytes, ByteBuffer buffer) throws Exception {
        // @start region=ulp
        long me = Ulp.programId();
        Ulp.channel("results").put(bytes);                          // zero-copy hand-over
        int n = Ulp.coupled(() -> nativeBlockingRead(buffer));      // on the program's own platform thread
        // @end
    }

    void channels(byte[] pixels) throws InterruptedException {
        // @start region=channels
        // program A
        Ulp.channel("frames").put(pixels);           // byte[]: the receiver gets this very array
        // program B
        byte[] frame = (byte[]) Ulp.channel("frames").take();
        // @end
    }

    void runningProgram(ProgramSpec spec, ProgramIo io) throws LaunchException, InterruptedException {
        // @start region=running-program
        RunningProgram p = host.launch(spec, io);
        int status = p.awaitExit();          // like the exit code of `java -jar`
        // @end
    }

    void rewriter(ClassLoader loader, byte[] classBytes) {
        // @start region=rewriter
        SystemCallRewriter rewriter = new SystemCallRewriter(ClassHierarchyResolver.ofResourceParsing(loader));
        SystemCallRewriter.Result r = rewriter.rewrite(classBytes);
        // then: defineClass(name, r.bytes(), 0, r.bytes().length) in the program's loader
        // @end
    }

    void classFileCache(ProgramClassPath classPath) {
        // @start region=class-file-cache
        ClassFileCache cache = new ClassFileCache(128L << 20);           // one per host
        ClassFileCache.Classes classes = cache.classesOf(classPath.fingerprint());
        ClassFileCache.Definition d = classes.get("com.example.Main");  // null: read and rewrite, then put
        // @end
    }

    Object reflectivePaths(java.lang.reflect.Constructor<?> ctor, Object[] args) throws ReflectiveOperationException {
        // @start region=reflective-paths
        // in a program's class, after the rewrite:
        Object f = ctor.newInstance(ReflectivePaths.constructorArgs(ctor, args));
        // @end
        return f;
    }

    void ownedExecutors(ProgramContext ctx) {
        // @start region=owned-executors
        // the host, when the program has ended (its hooks ran, its output is flushed):
        List<Object> stopped = ctx.executors().stopAll();   // shutdownNow / cancel
        // @end
    }

    void creationHooks() {
        // @start region=creation-hooks
        // in a program's class, after the rewrite:
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newCachedThreadPool();
        CreationHooks.executorCreated(pool);   // the host shuts it down when the program ends
        // @end
    }
}
