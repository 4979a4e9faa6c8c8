package dev.atlas.ulp.system;

import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.FileReader;
import java.io.FileWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.lang.reflect.Constructor;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.zip.ZipFile;

/**
 * Relative paths handed to the JDK's file constructors through reflection (BeanShell's
 * {@code new java.io.File("made.txt")}, a scripting language's constructor call): a program's
 * {@code Constructor.newInstance(args)} call sites pass their arguments through
 * {@link #constructorArgs} first, which makes a relative path argument absolute against the
 * program's working directory, as the rewrite does for such constructors called directly.
 * The call itself stays in the program's code, so access checks see the program as caller.
 *
 * {@snippet class=dev.atlas.ulp.snippets.UlpSnippets region=reflective-paths}
 *
 * <p>Thread safety: stateless.
 */
public final class ReflectivePaths {
    /** The classes whose constructors take a path as their first {@code String} parameter. */
    private static final Set<Class<?>> PATH_FIRST = Set.of(File.class, FileInputStream.class, FileOutputStream.class,
            FileReader.class, FileWriter.class, RandomAccessFile.class, PrintStream.class, PrintWriter.class,
            ZipFile.class, JarFile.class);

    private ReflectivePaths() {
    }

    /**
     * {@code args}, with its first element made absolute if {@code c} is a path constructor
     * of the JDK whose first parameter is a {@code String} path; else {@code args} itself.
     */
    public static Object[] constructorArgs(Constructor<?> c, Object[] args) {
        if (c == null || args == null || args.length == 0 || !(args[0] instanceof String p)
                || !PATH_FIRST.contains(c.getDeclaringClass()) || c.getParameterCount() != args.length
                || c.getParameterTypes()[0] != String.class) {
            return args;
        }
        String absolute = ProgramSystem.path(p);
        if (absolute.equals(p)) {
            return args;
        }
        Object[] copy = args.clone();
        copy[0] = absolute;
        return copy;
    }
}
