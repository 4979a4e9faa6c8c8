package dev.atlas.ulp.daemon;

import dev.atlas.ulp.ProgramSpec;
import dev.atlas.ulp.ThreadMode;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The command line of {@code atlas run}: {@code [options] <jar | --cp path main-class> [args...]}.
 * Options: {@code --cp/-cp/-classpath PATH} (then a main class instead of a jar),
 * {@code -Dname=value}, {@code --platform-thread} (the main thread is a platform thread of the
 * program's own), {@code --} (end of options). Paths are relative to the client's directory.
 */
final class RunCommand {
    static final String USAGE = "usage: atlas run [-Dname=value] [--platform-thread] <jar | --cp path main-class> [args...]";

    private RunCommand() {
    }

    /** The spec for {@code args} (after "run"), or an {@link IllegalArgumentException} naming the mistake. */
    static ProgramSpec parse(List<String> args, Path cwd, Map<String, String> env) {
        Map<String, String> props = new LinkedHashMap<>();
        ThreadMode mode = ThreadMode.VIRTUAL;
        String classPath = null;
        int i = 0;
        for (; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--")) {
                i++;
                break;
            } else if (a.equals("--cp") || a.equals("-cp") || a.equals("-classpath") || a.equals("--class-path")) {
                if (i + 1 >= args.size()) {
                    throw new IllegalArgumentException(a + " needs a class path");
                }
                classPath = args.get(++i);
            } else if (a.startsWith("-D")) {
                int eq = a.indexOf('=');
                String name = eq < 0 ? a.substring(2) : a.substring(2, eq);
                if (name.isEmpty()) {
                    throw new IllegalArgumentException("'" + a + "' names no property; expected -Dname=value");
                }
                props.put(name, eq < 0 ? "" : a.substring(eq + 1));
            } else if (a.equals("--platform-thread")) {
                mode = ThreadMode.PLATFORM;
            } else if (a.startsWith("-") && !a.equals("-")) {
                throw new IllegalArgumentException("unknown option '" + a + "'");
            } else {
                break;
            }
        }
        if (i >= args.size()) {
            throw new IllegalArgumentException(classPath != null ? "no main class given after --cp " + classPath : "no jar given");
        }
        String target = args.get(i);
        List<String> programArgs = List.copyOf(args.subList(i + 1, args.size()));
        ProgramSpec spec;
        if (classPath != null) {
            List<Path> entries = new ArrayList<>();
            for (String e : classPath.split(File.pathSeparator)) {
                if (!e.isEmpty()) {
                    entries.add(cwd.resolve(e));
                }
            }
            spec = new ProgramSpec(null, entries, target, programArgs, cwd, env, props, mode);
        } else {
            spec = new ProgramSpec(cwd.resolve(target), List.of(), null, programArgs, cwd, env, props, mode);
        }
        return spec;
    }
}
