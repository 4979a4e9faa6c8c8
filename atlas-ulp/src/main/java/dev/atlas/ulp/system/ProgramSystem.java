package dev.atlas.ulp.system;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.StringTokenizer;

/**
 * The per-program {@code System}: a program's class files are rewritten as they load so that
 * its calls to {@code System.exit}, {@code System.out}, {@code System.getProperty},
 * {@code System.getenv}, relative-path constructors and the like call these methods instead
 * (see {@code dev.atlas.ulp.rewrite.SystemCallRewriter}). Each method acts on the calling
 * program's {@link ProgramContext}, and behaves as the JDK method when called outside every
 * program (host code), so a rewritten class stays correct wherever it runs.
 *
 * <p>Finding the program: the inheritable thread-local set on the program's first thread
 * (its threads, and the threads they create, inherit it), else the first frame on the stack
 * whose class a program's loader defined ({@link ProgramScoped}): a program's code running on a
 * JDK pool thread still reaches its own program.
 *
 * <p>Thread safety: all methods may be called from any thread.
 *
 * <p>Implementation notes: a class of the shared API package, loaded once by the host's
 * loader, so every program's rewritten code links to the same methods. Paths: a relative
 * path becomes absolute against the program's working directory where it is created (a
 * {@code File}, {@code Path}, stream or reader from a {@code String}); that is what makes
 * {@code java.io} and {@code java.nio} resolve it per program, since the process has one
 * working directory and the JDK caches {@code user.dir}. The price: {@code getPath()} and
 * {@code toString()} of such a file show the absolute path.
 *
 * <p>Size: near 500 lines because rewritten code links to one class for its JDK calls: each
 * method is a small stand-in for one JDK method (what the program creates goes to
 * {@link CreationHooks}).
 */
public final class ProgramSystem {
    private static final InheritableThreadLocal<ProgramContext> CURRENT = new InheritableThreadLocal<>();
    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

    private ProgramSystem() {
    }

    /** Makes the calling thread (and the threads it creates from now on) part of {@code context}'s program. */
    public static void attach(ProgramContext context) {
        CURRENT.set(Objects.requireNonNull(context, "context"));
    }

    /** Detaches the calling thread from its program (host threads that ran a program's code). */
    public static void detach() {
        CURRENT.remove();
    }

    /** The context attached to the calling thread (inherited from the thread that created it), or null. */
    static ProgramContext attached() {
        return CURRENT.get();
    }

    /** The calling program's context, or null when called outside every program. */
    public static ProgramContext current() {
        ProgramContext c = CURRENT.get();
        return c != null ? c : callerContext();
    }

    private static ProgramContext callerContext() {
        return WALKER.walk(frames -> frames
                .map(f -> f.getDeclaringClass().getClassLoader())
                .filter(l -> l instanceof ProgramScoped)
                .map(l -> ((ProgramScoped) l).programContext())
                .findFirst().orElse(null));
    }

    // ------------------------------------------------------------------ exit

    public static void exit(int status) {
        end(status, true);
        System.exit(status);
    }

    public static void runtimeExit(Runtime runtime, int status) {
        end(status, true);
        runtime.exit(status);
    }

    public static void runtimeHalt(Runtime runtime, int status) {
        end(status, false);
        runtime.halt(status);
    }

    private static void end(int status, boolean hooks) {
        ProgramContext c = current();
        if (c != null) {
            c.lifecycle().exit(status, hooks);
            throw new ProgramExitSignal(status);
        }
    }

    public static void addShutdownHook(Runtime runtime, Thread hook) {
        ProgramContext c = current();
        if (c == null) {
            runtime.addShutdownHook(hook);
        } else {
            c.addShutdownHook(hook);
        }
    }

    public static boolean removeShutdownHook(Runtime runtime, Thread hook) {
        ProgramContext c = current();
        return c == null ? runtime.removeShutdownHook(hook) : c.removeShutdownHook(hook);
    }

    // ------------------------------------------------------------------ standard streams

    public static PrintStream out() {
        ProgramContext c = current();
        return c == null ? System.out : c.out();
    }

    public static PrintStream err() {
        ProgramContext c = current();
        return c == null ? System.err : c.err();
    }

    public static InputStream in() {
        ProgramContext c = current();
        return c == null ? System.in : c.in();
    }

    public static void setOut(PrintStream s) {
        ProgramContext c = current();
        if (c == null) {
            System.setOut(s);
        } else {
            c.setOut(s);
        }
    }

    public static void setErr(PrintStream s) {
        ProgramContext c = current();
        if (c == null) {
            System.setErr(s);
        } else {
            c.setErr(s);
        }
    }

    public static void setIn(InputStream s) {
        ProgramContext c = current();
        if (c == null) {
            System.setIn(s);
        } else {
            c.setIn(s);
        }
    }

    // ------------------------------------------------------------------ properties and environment

    private static String checkKey(String key) {
        Objects.requireNonNull(key, "key can't be null");
        if (key.isEmpty()) {
            throw new IllegalArgumentException("key can't be empty");
        }
        return key;
    }

    public static String getProperty(String key) {
        ProgramContext c = current();
        return c == null ? System.getProperty(key) : c.properties().getProperty(checkKey(key));
    }

    public static String getProperty(String key, String def) {
        ProgramContext c = current();
        return c == null ? System.getProperty(key, def) : c.properties().getProperty(checkKey(key), def);
    }

    public static Properties getProperties() {
        ProgramContext c = current();
        return c == null ? System.getProperties() : c.properties();
    }

    public static void setProperties(Properties props) {
        ProgramContext c = current();
        if (c == null) {
            System.setProperties(props);
            return;
        }
        Properties own = c.properties();
        synchronized (own) {
            Properties replacement = props != null ? props : initialProperties(c);
            own.clear();
            own.putAll(replacement);
        }
    }

    private static Properties initialProperties(ProgramContext c) {
        Properties p = new Properties();
        p.putAll(System.getProperties());
        p.setProperty("user.dir", c.cwd().toString());
        return p;
    }

    public static String setProperty(String key, String value) {
        ProgramContext c = current();
        if (c == null) {
            return System.setProperty(key, value);
        }
        Objects.requireNonNull(value, "value");
        return (String) c.properties().setProperty(checkKey(key), value);
    }

    public static String clearProperty(String key) {
        ProgramContext c = current();
        return c == null ? System.clearProperty(key) : (String) c.properties().remove(checkKey(key));
    }

    public static Map<String, String> getenv() {
        ProgramContext c = current();
        return c == null ? System.getenv() : c.env();
    }

    public static String getenv(String name) {
        ProgramContext c = current();
        return c == null ? System.getenv(name) : c.env().get(Objects.requireNonNull(name, "name"));
    }

    private static String propertyOrNull(String name) {
        try {
            return name == null || name.isEmpty() ? null : getProperty(name);
        } catch (IllegalArgumentException | NullPointerException e) {
            return null;
        }
    }

    public static Integer getInteger(String name) {
        return getInteger(name, (Integer) null);
    }

    public static Integer getInteger(String name, int def) {
        Integer v = getInteger(name, (Integer) null);
        return v == null ? Integer.valueOf(def) : v;
    }

    public static Integer getInteger(String name, Integer def) {
        String v = propertyOrNull(name);
        if (v != null) {
            try {
                return Integer.decode(v);
            } catch (NumberFormatException e) {
                return def;
            }
        }
        return def;
    }

    public static Long getLong(String name) {
        return getLong(name, (Long) null);
    }

    public static Long getLong(String name, long def) {
        Long v = getLong(name, (Long) null);
        return v == null ? Long.valueOf(def) : v;
    }

    public static Long getLong(String name, Long def) {
        String v = propertyOrNull(name);
        if (v != null) {
            try {
                return Long.decode(v);
            } catch (NumberFormatException e) {
                return def;
            }
        }
        return def;
    }

    public static boolean getBoolean(String name) {
        return Boolean.parseBoolean(propertyOrNull(name));
    }

    // ------------------------------------------------------------------ class loading

    private static ClassLoader programLoader() {
        ProgramContext c = current();
        ClassLoader l = c == null ? null : c.loader();
        return l != null ? l : ClassLoader.getSystemClassLoader();
    }

    public static ClassLoader getSystemClassLoader() {
        return programLoader();
    }

    public static URL getSystemResource(String name) {
        return programLoader().getResource(name);
    }

    public static InputStream getSystemResourceAsStream(String name) {
        return programLoader().getResourceAsStream(name);
    }

    public static Enumeration<URL> getSystemResources(String name) throws IOException {
        return programLoader().getResources(name);
    }

    // ------------------------------------------------------------------ paths

    /** {@code p} made absolute against the calling program's working directory (unchanged outside programs). */
    public static String path(String p) {
        if (p == null || p.startsWith("/")) {
            return p;
        }
        ProgramContext c = current();
        if (c == null) {
            return p;
        }
        String cwd = c.cwd().toString();
        if (p.isEmpty()) {
            return cwd;
        }
        return cwd.endsWith("/") ? cwd + p : cwd + "/" + p;
    }

    public static Path pathOf(String first, String... more) {
        return Path.of(path(first), more);
    }

    public static Path getPath(FileSystem fs, String first, String... more) {
        return fs == FileSystems.getDefault() ? fs.getPath(path(first), more) : fs.getPath(first, more);
    }

    // ------------------------------------------------------------------ reflection

    /*
     * Reflection reaches System.exit, Runtime.exit and Runtime.halt without a call site to
     * rewrite (Rhino's `java.lang.System.exit(3)`, a method handle found by name): the
     * program's lookups of those members answer with the ProgramSystem ones instead. A static
     * Method ignores the receiver, so `Runtime.exit` answered with `exit(int)` still works.
     */
    private static boolean exits(Class<?> c, String name) {
        return (c == System.class || c == Runtime.class) && (name.equals("exit") || name.equals("halt"));
    }

    private static java.lang.reflect.Method own(Class<?> c, java.lang.reflect.Method m) {
        try {
            String target = c == System.class ? "exit" : m.getName().equals("halt") ? "haltStatus" : "exitStatus";
            return ProgramSystem.class.getMethod(target, int.class);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runtime.exit through reflection (the receiver is ignored). */
    public static void exitStatus(int status) {
        end(status, true);
        Runtime.getRuntime().exit(status);
    }

    /** Runtime.halt through reflection (the receiver is ignored). */
    public static void haltStatus(int status) {
        end(status, false);
        Runtime.getRuntime().halt(status);
    }

    public static java.lang.reflect.Method getMethod(Class<?> c, String name, Class<?>... types) throws NoSuchMethodException {
        java.lang.reflect.Method m = c.getMethod(name, types);
        return exits(c, name) && current() != null ? own(c, m) : m;
    }

    public static java.lang.reflect.Method getDeclaredMethod(Class<?> c, String name, Class<?>... types) throws NoSuchMethodException {
        java.lang.reflect.Method m = c.getDeclaredMethod(name, types);
        return exits(c, name) && current() != null ? own(c, m) : m;
    }

    public static java.lang.reflect.Method[] getMethods(Class<?> c) {
        return replaceExits(c, c.getMethods());
    }

    public static java.lang.reflect.Method[] getDeclaredMethods(Class<?> c) {
        return replaceExits(c, c.getDeclaredMethods());
    }

    private static java.lang.reflect.Method[] replaceExits(Class<?> c, java.lang.reflect.Method[] ms) {
        if ((c == System.class || c == Runtime.class) && current() != null) {
            for (int i = 0; i < ms.length; i++) {
                if (exits(c, ms[i].getName()) && ms[i].getParameterCount() == 1) {
                    ms[i] = own(c, ms[i]);
                }
            }
        }
        return ms;
    }

    public static java.lang.invoke.MethodHandle findStatic(java.lang.invoke.MethodHandles.Lookup lookup, Class<?> c, String name,
                                                           java.lang.invoke.MethodType type) throws ReflectiveOperationException {
        if (c == System.class && name.equals("exit") && current() != null) {
            return java.lang.invoke.MethodHandles.publicLookup().findStatic(ProgramSystem.class, "exit", type);
        }
        return lookup.findStatic(c, name, type);
    }

    public static java.lang.invoke.MethodHandle findVirtual(java.lang.invoke.MethodHandles.Lookup lookup, Class<?> c, String name,
                                                            java.lang.invoke.MethodType type) throws ReflectiveOperationException {
        if (exits(c, name) && c == Runtime.class && current() != null) {
            return java.lang.invoke.MethodHandles.publicLookup().findStatic(ProgramSystem.class,
                    name.equals("exit") ? "runtimeExit" : "runtimeHalt", type.insertParameterTypes(0, Runtime.class));
        }
        return lookup.findVirtual(c, name, type);
    }

    // ------------------------------------------------------------------ processes

    public static Process start(ProcessBuilder pb) throws IOException {
        ProgramContext c = current();
        if (c != null) {
            if (pb.directory() == null) {
                pb.directory(c.cwd().toFile());
            }
            adoptEnvironment(pb.environment(), c.env());
        }
        return pb.start();
    }

    /** Entries the program left as the host's become the program's; the program's own extra entries are added. */
    private static void adoptEnvironment(Map<String, String> env, Map<String, String> programEnv) {
        Map<String, String> host = System.getenv();
        for (Map.Entry<String, String> e : host.entrySet()) {
            if (e.getValue().equals(env.get(e.getKey()))) {
                String own = programEnv.get(e.getKey());
                if (own == null) {
                    env.remove(e.getKey());
                } else {
                    env.put(e.getKey(), own);
                }
            }
        }
        for (Map.Entry<String, String> e : programEnv.entrySet()) {
            if (!host.containsKey(e.getKey())) {
                env.putIfAbsent(e.getKey(), e.getValue());
            }
        }
    }

    public static Process exec(Runtime runtime, String command) throws IOException {
        return exec(runtime, command, null, null);
    }

    public static Process exec(Runtime runtime, String command, String[] envp) throws IOException {
        return exec(runtime, command, envp, null);
    }

    public static Process exec(Runtime runtime, String command, String[] envp, File dir) throws IOException {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("Empty command");
        }
        StringTokenizer st = new StringTokenizer(command);
        List<String> words = new ArrayList<>();
        while (st.hasMoreTokens()) {
            words.add(st.nextToken());
        }
        return exec(runtime, words.toArray(String[]::new), envp, dir);
    }

    public static Process exec(Runtime runtime, String[] cmdarray) throws IOException {
        return exec(runtime, cmdarray, null, null);
    }

    public static Process exec(Runtime runtime, String[] cmdarray, String[] envp) throws IOException {
        return exec(runtime, cmdarray, envp, null);
    }

    public static Process exec(Runtime runtime, String[] cmdarray, String[] envp, File dir) throws IOException {
        ProgramContext c = current();
        if (c == null) {
            return runtime.exec(cmdarray, envp, dir);
        }
        ProcessBuilder pb = new ProcessBuilder(cmdarray);
        pb.directory(dir != null ? new File(path(dir.getPath())) : c.cwd().toFile());
        Map<String, String> env = pb.environment();
        env.clear();
        if (envp == null) {
            env.putAll(c.env());
        } else {
            for (String kv : envp) {
                int eq = kv.indexOf('=', 1);
                if (eq > 0) {
                    env.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
            }
        }
        return pb.start();
    }
}
