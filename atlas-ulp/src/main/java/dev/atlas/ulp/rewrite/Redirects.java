package dev.atlas.ulp.rewrite;

import java.util.HashMap;
import java.util.Map;

/**
 * The table of JDK members whose call sites in a program's classes are redirected to its
 * own {@code System} ({@code dev.atlas.ulp.system.ProgramSystem}), keyed by
 * {@code owner.name descriptor} (internal names).
 *
 * <p>Thread safety: immutable after class initialisation.
 */
final class Redirects {
    private static final Map<String, Redirect> TABLE = build();

    private Redirects() {
    }

    static Redirect find(String owner, String name, String desc) {
        return TABLE.get(owner + '.' + name + desc);
    }

    static boolean contains(String owner, String name, String desc) {
        return TABLE.containsKey(owner + '.' + name + desc);
    }

    private static Map<String, Redirect> build() {
        Map<String, Redirect> m = new HashMap<>();
        String sys = "java/lang/System.";
        same(m, sys, "exit", "(I)V");
        m.put(sys + "out" + "Ljava/io/PrintStream;", Redirect.replace("out", "()Ljava/io/PrintStream;"));
        m.put(sys + "err" + "Ljava/io/PrintStream;", Redirect.replace("err", "()Ljava/io/PrintStream;"));
        m.put(sys + "in" + "Ljava/io/InputStream;", Redirect.replace("in", "()Ljava/io/InputStream;"));
        same(m, sys, "setOut", "(Ljava/io/PrintStream;)V");
        same(m, sys, "setErr", "(Ljava/io/PrintStream;)V");
        same(m, sys, "setIn", "(Ljava/io/InputStream;)V");
        same(m, sys, "getProperty", "(Ljava/lang/String;)Ljava/lang/String;");
        same(m, sys, "getProperty", "(Ljava/lang/String;Ljava/lang/String;)Ljava/lang/String;");
        same(m, sys, "getProperties", "()Ljava/util/Properties;");
        same(m, sys, "setProperties", "(Ljava/util/Properties;)V");
        same(m, sys, "setProperty", "(Ljava/lang/String;Ljava/lang/String;)Ljava/lang/String;");
        same(m, sys, "clearProperty", "(Ljava/lang/String;)Ljava/lang/String;");
        same(m, sys, "getenv", "()Ljava/util/Map;");
        same(m, sys, "getenv", "(Ljava/lang/String;)Ljava/lang/String;");

        String rt = "java/lang/Runtime.";
        receiver(m, rt, "exit", "runtimeExit", "(I)V");
        receiver(m, rt, "halt", "runtimeHalt", "(I)V");
        receiver(m, rt, "addShutdownHook", "addShutdownHook", "(Ljava/lang/Thread;)V");
        receiver(m, rt, "removeShutdownHook", "removeShutdownHook", "(Ljava/lang/Thread;)Z");
        for (String d : new String[] {"(Ljava/lang/String;)", "(Ljava/lang/String;[Ljava/lang/String;)",
                "(Ljava/lang/String;[Ljava/lang/String;Ljava/io/File;)", "([Ljava/lang/String;)",
                "([Ljava/lang/String;[Ljava/lang/String;)", "([Ljava/lang/String;[Ljava/lang/String;Ljava/io/File;)"}) {
            receiver(m, rt, "exec", "exec", d + "Ljava/lang/Process;");
        }
        receiver(m, "java/lang/ProcessBuilder.", "start", "start", "()Ljava/lang/Process;");

        same(m, "java/lang/Integer.", "getInteger", "(Ljava/lang/String;)Ljava/lang/Integer;");
        same(m, "java/lang/Integer.", "getInteger", "(Ljava/lang/String;I)Ljava/lang/Integer;");
        same(m, "java/lang/Integer.", "getInteger", "(Ljava/lang/String;Ljava/lang/Integer;)Ljava/lang/Integer;");
        same(m, "java/lang/Long.", "getLong", "(Ljava/lang/String;)Ljava/lang/Long;");
        same(m, "java/lang/Long.", "getLong", "(Ljava/lang/String;J)Ljava/lang/Long;");
        same(m, "java/lang/Long.", "getLong", "(Ljava/lang/String;Ljava/lang/Long;)Ljava/lang/Long;");
        same(m, "java/lang/Boolean.", "getBoolean", "(Ljava/lang/String;)Z");

        String cl = "java/lang/ClassLoader.";
        same(m, cl, "getSystemClassLoader", "()Ljava/lang/ClassLoader;");
        same(m, cl, "getSystemResource", "(Ljava/lang/String;)Ljava/net/URL;");
        same(m, cl, "getSystemResourceAsStream", "(Ljava/lang/String;)Ljava/io/InputStream;");
        same(m, cl, "getSystemResources", "(Ljava/lang/String;)Ljava/util/Enumeration;");

        String cls = "java/lang/Class.";
        receiver(m, cls, "getMethod", "getMethod", "(Ljava/lang/String;[Ljava/lang/Class;)Ljava/lang/reflect/Method;");
        receiver(m, cls, "getDeclaredMethod", "getDeclaredMethod", "(Ljava/lang/String;[Ljava/lang/Class;)Ljava/lang/reflect/Method;");
        receiver(m, cls, "getMethods", "getMethods", "()[Ljava/lang/reflect/Method;");
        receiver(m, cls, "getDeclaredMethods", "getDeclaredMethods", "()[Ljava/lang/reflect/Method;");
        String lookup = "java/lang/invoke/MethodHandles$Lookup.";
        String find = "(Ljava/lang/Class;Ljava/lang/String;Ljava/lang/invoke/MethodType;)Ljava/lang/invoke/MethodHandle;";
        receiver(m, lookup, "findStatic", "findStatic", find);
        receiver(m, lookup, "findVirtual", "findVirtual", find);
        m.put("java/lang/reflect/Constructor.newInstance([Ljava/lang/Object;)Ljava/lang/Object;",
                new Redirect(Redirect.Kind.CONSTRUCTOR_ARGS, null, null));

        String pathOf = "(Ljava/lang/String;[Ljava/lang/String;)Ljava/nio/file/Path;";
        m.put("java/nio/file/Path.of" + pathOf, Redirect.replace("pathOf", pathOf));
        m.put("java/nio/file/Paths.get" + pathOf, Redirect.replace("pathOf", pathOf));
        receiver(m, "java/nio/file/FileSystem.", "getPath", "getPath", pathOf);

        String s = "(Ljava/lang/String;";
        pathArgs(m, "java/io/File", s + ")V", s + "Ljava/lang/String;)V");
        pathArgs(m, "java/io/FileInputStream", s + ")V", null);
        pathArgs(m, "java/io/FileOutputStream", s + ")V", s + "Z)V");
        pathArgs(m, "java/io/FileReader", s + ")V", s + "Ljava/nio/charset/Charset;)V");
        pathArgs(m, "java/io/FileWriter", s + ")V", s + "Z)V");
        pathArgs(m, "java/io/FileWriter", null, s + "Ljava/nio/charset/Charset;)V");
        pathArgs(m, "java/io/RandomAccessFile", null, s + "Ljava/lang/String;)V");
        pathArgs(m, "java/io/PrintStream", s + ")V", s + "Ljava/lang/String;)V");
        pathArgs(m, "java/io/PrintStream", null, s + "Ljava/nio/charset/Charset;)V");
        pathArgs(m, "java/io/PrintWriter", s + ")V", s + "Ljava/lang/String;)V");
        pathArgs(m, "java/io/PrintWriter", null, s + "Ljava/nio/charset/Charset;)V");
        pathArgs(m, "java/util/zip/ZipFile", s + ")V", null);
        pathArgs(m, "java/util/jar/JarFile", s + ")V", s + "Z)V");
        return Map.copyOf(m);
    }

    /** A static method redirected to the ProgramSystem method of the same name and descriptor. */
    private static void same(Map<String, Redirect> m, String owner, String name, String desc) {
        m.put(owner + name + desc, Redirect.replace(name, desc));
    }

    /** An instance method redirected to a static one taking the receiver first. */
    private static void receiver(Map<String, Redirect> m, String owner, String name, String target, String desc) {
        String receiverType = "L" + owner.substring(0, owner.length() - 1) + ";";
        m.put(owner + name + desc, Redirect.replace(target, "(" + receiverType + desc.substring(1)));
    }

    /** Constructors whose path argument is the last one, or the one before the last. */
    private static void pathArgs(Map<String, Redirect> m, String owner, String onTop, String underTop) {
        if (onTop != null) {
            m.put(owner + ".<init>" + onTop, new Redirect(Redirect.Kind.PATH_ON_TOP, null, null));
        }
        if (underTop != null) {
            m.put(owner + ".<init>" + underTop, new Redirect(Redirect.Kind.PATH_UNDER_TOP, null, null));
        }
    }
}
