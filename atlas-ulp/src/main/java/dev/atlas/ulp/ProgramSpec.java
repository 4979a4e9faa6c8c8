package dev.atlas.ulp;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What to run: a jar with a {@code Main-Class}, or a class path and a main class; with its
 * arguments, working directory, environment, {@code -D} properties and thread mode.
 *
 * {@snippet class=dev.atlas.ulp.snippets.UlpSnippets region=program-spec}
 *
 * @param jar        the jar to run ({@code java -jar}), or null with a class path
 * @param classPath  the class path (null or empty with a jar)
 * @param mainClass  the main class (null with a jar: its manifest names it)
 * @param args       the program's arguments
 * @param cwd        its working directory (absolute)
 * @param env        its environment
 * @param properties system properties set on top of the host's ({@code -Dk=v})
 * @param threadMode the kind of its main thread
 */
public record ProgramSpec(Path jar, List<Path> classPath, String mainClass, List<String> args, Path cwd,
                          Map<String, String> env, Map<String, String> properties, ThreadMode threadMode) {
    public ProgramSpec {
        if ((jar == null) == (mainClass == null)) {
            throw new IllegalArgumentException("give either a jar or a class path and a main class, got jar=" + jar
                    + " mainClass=" + mainClass);
        }
        classPath = classPath == null ? List.of() : List.copyOf(classPath);
        args = List.copyOf(args);
        Objects.requireNonNull(cwd, "cwd");
        if (!cwd.isAbsolute()) {
            throw new IllegalArgumentException("working directory must be absolute, got '" + cwd + "'");
        }
        env = Map.copyOf(env);
        properties = Map.copyOf(properties);
        Objects.requireNonNull(threadMode, "threadMode");
    }

    /** Runs {@code jar} as {@code java -jar} does, in the host's working directory and environment. */
    public static ProgramSpec ofJar(Path jar, List<String> args) {
        return new ProgramSpec(jar.toAbsolutePath(), List.of(), null, args, Path.of("").toAbsolutePath(),
                System.getenv(), Map.of(), ThreadMode.VIRTUAL);
    }

    /** Runs {@code mainClass} from {@code classPath} as {@code java -cp} does. */
    public static ProgramSpec ofClassPath(List<Path> classPath, String mainClass, List<String> args) {
        return new ProgramSpec(null, classPath.stream().map(Path::toAbsolutePath).toList(), mainClass, args,
                Path.of("").toAbsolutePath(), System.getenv(), Map.of(), ThreadMode.VIRTUAL);
    }

    public ProgramSpec withCwd(Path dir) {
        return new ProgramSpec(jar, classPath, mainClass, args, dir, env, properties, threadMode);
    }

    public ProgramSpec withEnv(Map<String, String> environment) {
        return new ProgramSpec(jar, classPath, mainClass, args, cwd, environment, properties, threadMode);
    }

    public ProgramSpec withProperties(Map<String, String> props) {
        return new ProgramSpec(jar, classPath, mainClass, args, cwd, env, props, threadMode);
    }

    public ProgramSpec withThreadMode(ThreadMode mode) {
        return new ProgramSpec(jar, classPath, mainClass, args, cwd, env, properties, mode);
    }

    /** How the program was named on the command line: the jar or the main class, then the arguments. */
    public String commandLine() {
        StringBuilder sb = new StringBuilder(jar != null ? jar.toString() : mainClass);
        for (String a : args) {
            sb.append(' ').append(a);
        }
        return sb.toString();
    }
}
