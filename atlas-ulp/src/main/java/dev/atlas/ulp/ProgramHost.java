package dev.atlas.ulp;

import dev.atlas.core.View;
import dev.atlas.core.ViewKey;
import dev.atlas.core.ViewSpace;
import dev.atlas.ulp.load.ClassFileCache;
import dev.atlas.ulp.load.ProgramClassLoader;
import dev.atlas.ulp.load.ProgramClassPath;
import dev.atlas.ulp.system.ProgramContext;
import dev.atlas.ulp.system.SharedChannels;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.jar.Attributes;
import java.util.jar.Manifest;

/**
 * A JVM that runs many Java programs as user-level processes: each in its own class loader
 * (private statics), with its own {@code System} (standard streams, exit status, properties,
 * environment, working directory), its own threads and id, and its own view in the host's
 * {@link ViewSpace} (the view carries the program's {@code System} under {@link #PROGRAM}).
 *
 * {@snippet class=dev.atlas.ulp.snippets.UlpSnippets region=program-host}
 *
 * <p>Creating a host changes two JVM-wide things, once per JVM: {@code System.out/err/in}
 * become streams that forward to the calling program's own, and the default uncaught
 * exception handler prints to the failing program's {@code System.err}.
 *
 * <p>Thread safety: all methods may be called from any thread.
 */
public final class ProgramHost implements AutoCloseable {
    /** The per-view value that makes a view a program's: its {@code System}. */
    public static final ViewKey<ProgramContext> PROGRAM = ViewKey.of("ulp.program", ProgramContext.class);

    private final ViewSpace space;
    /** The default capacity of the host's {@link ClassFileCache}. */
    public static final long DEFAULT_CLASS_CACHE_BYTES = 128L << 20;

    private final SharedChannels channels = new SharedChannels();
    private final ClassFileCache classFiles;
    private final ProgramTable<RunningProgram> programs = new ProgramTable<>();
    private final AtomicLong ids = new AtomicLong();

    private ProgramHost(String name, long classCacheBytes) {
        this.classFiles = new ClassFileCache(classCacheBytes);
        SystemStreams.install();
        this.space = ViewSpace.create(name);
    }

    /** A host with the default class file cache; {@link #close()} it to kill its programs. */
    public static ProgramHost create() {
        return create(DEFAULT_CLASS_CACHE_BYTES);
    }

    /**
     * A host whose {@link ClassFileCache} holds up to {@code classCacheBytes} of rewritten
     * class files (0: none; every program reads and rewrites its classes).
     *
     * @throws IllegalArgumentException if {@code classCacheBytes} is negative
     */
    public static ProgramHost create(long classCacheBytes) {
        return new ProgramHost("ulp-host", classCacheBytes);
    }

    /**
     * Starts a program. Everything that can fail before its main method runs fails here,
     * with {@code java}'s message, and leaves nothing behind.
     *
     * @throws LaunchException no such jar, no {@code Main-Class}, no such main class or method
     */
    public RunningProgram launch(ProgramSpec spec, ProgramIo io) throws LaunchException {
        String mainName = spec.mainClass();
        List<Path> path = spec.classPath();
        if (spec.jar() != null) {
            if (!Files.isRegularFile(spec.jar())) {
                throw new LaunchException("Error: Unable to access jarfile " + spec.jar(), null);
            }
            path = List.of(spec.jar());
        }
        ProgramClassPath classPath;
        try {
            classPath = ProgramClassPath.open(path);
        } catch (IOException e) {
            throw new LaunchException(spec.jar() != null ? "Error: Invalid or corrupt jarfile " + spec.jar()
                    : "Error: Invalid or corrupt jarfile " + path + " (" + e.getMessage() + ")", e);
        }
        if (spec.jar() != null) {
            try {
                mainName = mainClassOf(spec.jar(), classPath.firstManifest());
            } catch (LaunchException e) {
                classPath.closeQuietly();
                throw e;
            }
        }
        long id = ids.incrementAndGet();
        RunningProgram program = new RunningProgram(id, spec, this::ended);
        Properties props = new Properties();
        props.putAll(System.getProperties());
        props.setProperty("user.dir", spec.cwd().toString());
        props.setProperty("java.class.path", classPath.asClassPathProperty());
        props.setProperty("sun.java.command", spec.commandLine());
        props.putAll(spec.properties());
        ProgramContext ctx = new ProgramContext(id, spec.cwd(), spec.env(), props,
                printStream(io.out(), "stdout.encoding"), printStream(io.err(), "stderr.encoding"), io.in(),
                program.lifecycle(), channels);
        ProgramClassLoader loader = new ProgramClassLoader(loaderName(id), classPath, ctx, ProgramHost.class.getClassLoader(),
                classFiles);
        ctx.setLoader(loader);
        MainMethod entry;
        try {
            entry = MainMethod.find(loadMain(loader, mainName));
        } catch (LaunchException | RuntimeException | Error e) {
            loader.closeQuietly();
            throw e;
        }
        View view = space.derive(space.baseView(), "program " + id).diverge(PROGRAM, ctx).publish();
        programs.started(id, program);
        program.start(ctx, loader, view, entry, space);
        return program;
    }

    private static PrintStream printStream(java.io.OutputStream out, String encodingProperty) {
        return new PrintStream(new BufferedOutputStream(out, 8192), true, SystemStreams.charset(encodingProperty));
    }

    /**
     * The {@code Main-Class} of {@code jar}, from its manifest {@code mf} (read when its class
     * path was opened; null if it has none), as {@code java -jar} takes it.
     */
    static String mainClassOf(Path jar, Manifest mf) throws LaunchException {
        String main = mf == null ? null : mf.getMainAttributes().getValue(Attributes.Name.MAIN_CLASS);
        if (main == null || main.isBlank()) {
            throw new LaunchException("no main manifest attribute, in " + jar, null);
        }
        return main.trim();
    }

    private static Class<?> loadMain(ClassLoader loader, String name) throws LaunchException {
        try {
            return Class.forName(name, false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new LaunchException("Error: Could not find or load main class " + name + "\nCaused by: "
                    + e.getClass().getName() + ": " + e.getMessage(), e);
        }
    }

    private void ended(RunningProgram p) {
        programs.ended(p.id());
        EndedProgramPatches.rollBack(loaderName(p.id()));
    }

    /** The name of program {@code id}'s class loader (what {@code atlas patch apply --program} scopes a patch to). */
    static String loaderName(long id) {
        return "program-" + id;
    }

    /** The running programs, by id. */
    public List<RunningProgram> programs() {
        return programs.running();
    }

    /** The running program {@code id}, if any. */
    public Optional<RunningProgram> find(long id) {
        return programs.find(id);
    }

    /**
     * How many programs this host has started (a launch that failed is not counted, though it
     * used an id), and how many of them have ended, both of one instant.
     */
    public Map<String, Long> counts() {
        return programs.counts();
    }

    /** The host's view space: one view per running program. */
    public ViewSpace space() {
        return space;
    }

    /** The rewritten class files this host's programs share (per unchanged class path). */
    public ClassFileCache classFiles() {
        return classFiles;
    }

    /** The channels through which the host's programs hand objects to each other. */
    public SharedChannels channels() {
        return channels;
    }

    /** Kills the running programs and closes the view space. */
    @Override
    public void close() {
        for (RunningProgram p : programs()) {
            p.kill();
        }
        space.close();
    }
}
