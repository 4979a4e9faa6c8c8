package dev.atlas.ulp.system;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * The system state one program sees: its id, arguments, working directory, environment,
 * system properties, standard streams, shutdown hooks and shared channels. What
 * {@link ProgramSystem} answers for the program's rewritten call sites.
 *
 * <p>Thread safety: the streams are volatile (a program may replace them from any thread),
 * the properties are a {@link Properties} (synchronized), the environment and arguments are
 * immutable, the hook list is guarded by this object.
 *
 * <p>Implementation notes: one instance per program, created by the host before the
 * program's first class is loaded and never shared. The context is reachable from the
 * program's threads (an inheritable thread-local set on its first thread) and from its
 * class loader ({@link ProgramScoped}); it holds nothing of the host but the lifecycle and
 * the host's channels, so that it dies with the program.
 */
public final class ProgramContext {
    private final long id;
    private final Path cwd;
    private final Map<String, String> env;
    private final Properties properties;
    private final ProgramLifecycle lifecycle;
    private final SharedChannels channels;
    private final List<Thread> shutdownHooks = new ArrayList<>();
    private final OwnedExecutors executors = new OwnedExecutors();
    private final PrintStream initialOut;
    private final PrintStream initialErr;
    private final InputStream initialIn;
    private volatile PrintStream out;
    private volatile PrintStream err;
    private volatile InputStream in;
    private volatile boolean ended;
    private volatile Thread mainThread;
    private volatile java.lang.ref.WeakReference<ClassLoader> loader = new java.lang.ref.WeakReference<>(null);

    /**
     * A context; {@code properties} is the program's own copy (the host's with
     * {@code user.dir} set to {@code cwd} and the program's {@code -D} options).
     */
    public ProgramContext(long id, Path cwd, Map<String, String> env, Properties properties,
                          PrintStream out, PrintStream err, InputStream in,
                          ProgramLifecycle lifecycle, SharedChannels channels) {
        this.id = id;
        this.cwd = Objects.requireNonNull(cwd, "cwd");
        if (!cwd.isAbsolute()) {
            throw new IllegalArgumentException("working directory must be absolute, got '" + cwd + "'");
        }
        this.env = Map.copyOf(env);
        this.properties = Objects.requireNonNull(properties, "properties");
        this.out = Objects.requireNonNull(out, "out");
        this.err = Objects.requireNonNull(err, "err");
        this.in = Objects.requireNonNull(in, "in");
        this.initialOut = out;
        this.initialErr = err;
        this.initialIn = in;
        this.lifecycle = Objects.requireNonNull(lifecycle, "lifecycle");
        this.channels = Objects.requireNonNull(channels, "channels");
    }

    /** The program's id in its host. */
    public long id() {
        return id;
    }

    /** The program's working directory (absolute). */
    public Path cwd() {
        return cwd;
    }

    /** The program's environment (immutable). */
    public Map<String, String> env() {
        return env;
    }

    /** The program's system properties (its own copy). */
    public Properties properties() {
        return properties;
    }

    public PrintStream out() {
        return out;
    }

    public PrintStream err() {
        return err;
    }

    public InputStream in() {
        return in;
    }

    void setOut(PrintStream s) {
        out = Objects.requireNonNull(s, "out");
    }

    void setErr(PrintStream s) {
        err = Objects.requireNonNull(s, "err");
    }

    void setIn(InputStream s) {
        in = Objects.requireNonNull(s, "in");
    }

    /** The host's channels, through which programs hand objects to each other. */
    public SharedChannels channels() {
        return channels;
    }

    /** The executors and timers the program created, which the host stops when it ends. */
    public OwnedExecutors executors() {
        return executors;
    }

    /**
     * Sets the standard streams back to the ones the host gave the program, at its end: a
     * stream the program set ({@code System.setOut(new PrintStream(its own stream))}) is an
     * object of the program's classes, which a thread of the program that outlives it
     * (reaching this context through its inherited thread-local) would otherwise keep alive.
     */
    public void releaseStreams() {
        out = initialOut;
        err = initialErr;
        in = initialIn;
    }

    /** The host side of the program's life. */
    public ProgramLifecycle lifecycle() {
        return lifecycle;
    }

    /** The program's class loader (weakly held), or null before it exists or once it is gone. */
    public ClassLoader loader() {
        return loader.get();
    }

    /** Sets the program's class loader (weakly held: the context must not keep it alive). */
    public void setLoader(ClassLoader l) {
        loader = new java.lang.ref.WeakReference<>(l);
    }

    /** The program's main thread (virtual or platform), or null before it is created. */
    public Thread mainThread() {
        return mainThread;
    }

    /** Sets the program's main thread (once, by the host, before it starts). */
    public void setMainThread(Thread t) {
        mainThread = t;
    }

    /** True once the program has ended (exit, or its last non-daemon thread ended). */
    public boolean ended() {
        return ended;
    }

    /** Marks the program ended; from now on its rewritten exits only unwind the caller. */
    public void markEnded() {
        ended = true;
    }

    void addShutdownHook(Thread hook) {
        Objects.requireNonNull(hook, "hook");
        synchronized (this) {
            if (shutdownHooks.contains(hook)) {
                throw new IllegalArgumentException("Hook previously registered");
            }
            if (ended) {
                throw new IllegalStateException("Shutdown in progress");
            }
            shutdownHooks.add(hook);
        }
    }

    boolean removeShutdownHook(Thread hook) {
        synchronized (this) {
            return shutdownHooks.remove(Objects.requireNonNull(hook, "hook"));
        }
    }

    /** Takes the registered shutdown hooks (once; later calls return an empty list). */
    public List<Thread> takeShutdownHooks() {
        synchronized (this) {
            List<Thread> hooks = List.copyOf(shutdownHooks);
            shutdownHooks.clear();
            return hooks;
        }
    }

    @Override
    public String toString() {
        return "program " + id + " in " + cwd;
    }
}
