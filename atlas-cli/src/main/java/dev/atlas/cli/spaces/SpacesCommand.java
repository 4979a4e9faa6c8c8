package dev.atlas.cli.spaces;

import dev.atlas.spaces.SpaceDirectory;
import dev.atlas.spaces.SpaceException;
import dev.atlas.spaces.SpaceInfo;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code atlas spaces list | inspect NAME | rm NAME}: the named spaces of a directory
 * (default {@code /dev/shm/atlas-spaces-<uid>}), read without attaching them.
 *
 * <p>Exit codes: 0 done; 1 refused (no such space, bad name, attached by live processes,
 * unreadable, not Linux), with a message naming the space and what was expected; 2 usage.
 */
@Command(name = "spaces", mixinStandardHelpOptions = true,
        description = "Named spaces shared by several JVMs on this host (atlas-spaces): list, inspect, remove.",
        subcommands = {SpacesCommand.ListSpaces.class, SpacesCommand.Inspect.class, SpacesCommand.Remove.class})
public final class SpacesCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing subcommand: list, inspect NAME or rm NAME");
    }

    /** The {@code --dir} option of every subcommand. */
    static final class DirOption {
        @Option(names = "--dir", paramLabel = "<path>",
                description = "The space directory (default: /dev/shm/atlas-spaces-<uid>).")
        Path dir;

        SpaceDirectory open() {
            return dir == null ? SpaceDirectory.defaultDirectory() : SpaceDirectory.at(dir);
        }
    }

    /** The {@code NAME} parameter and {@code --dir} option of the commands on one space. */
    static final class NamedSpace {
        @Mixin
        DirOption dir;
        @Parameters(index = "0", paramLabel = "NAME", description = "The space's name.")
        String name;
    }

    /** Runs {@code body}, turning refusals into a message on stderr and exit code 1. */
    static int guarded(CommandSpec spec, Callable<Integer> body) {
        try {
            return body.call();
        } catch (SpaceException | UnsupportedOperationException | IllegalStateException e) {
            spec.commandLine().getErr().println("atlas: " + e.getMessage());
            return 1;
        } catch (Exception e) {
            spec.commandLine().getErr().println("atlas: " + e);
            return 1;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "One line per space: name, size, heap used, segments, live attached pids, mode, owner.")
    static final class ListSpaces implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        DirOption dir;

        @Override
        public Integer call() {
            return guarded(spec, () -> {
                SpaceDirectory d = dir.open();
                List<SpaceInfo> spaces = d.list();
                PrintWriter out = spec.commandLine().getOut();
                if (spaces.isEmpty()) {
                    out.println("no spaces in " + d.path());
                    return 0;
                }
                out.printf("%-24s %12s %12s %4s %-6s %6s  %s%n", "NAME", "SIZE", "USED", "SEGS", "MODE", "OWNER", "ATTACHED");
                for (SpaceInfo i : spaces) {
                    out.printf("%-24s %12s %12s %4d %-6s %6d  %s%n", i.metadata().name(), SpaceReport.bytes(i.size()),
                            i.heapUsed() < 0 ? "?" : SpaceReport.bytes(i.heapUsed()), i.metadata().segments().size(),
                            "0" + Integer.toOctalString(i.metadata().mode()), i.metadata().ownerUid(),
                            i.attached().isEmpty() ? "-" : i.attached());
                }
                return 0;
            });
        }
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true,
            description = "A space in full: owner, mode, segments and their addresses, roots, attached processes (live "
                    + "and dead), the state of its lock.")
    static final class Inspect implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        NamedSpace space;

        @Override
        public Integer call() {
            return guarded(spec, () -> {
                spec.commandLine().getOut().print(SpaceReport.render(space.dir.open().inspect(space.name)));
                return 0;
            });
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true,
            description = "Delete a space. Refused while live processes are attached, unless --force (they keep their "
                    + "mappings until they detach).")
    static final class Remove implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        NamedSpace space;
        @Option(names = "--force", description = "Delete even if attached, damaged or of another format version.")
        boolean force;

        @Override
        public Integer call() {
            return guarded(spec, () -> {
                space.dir.open().delete(space.name, force);
                spec.commandLine().getOut().println("removed space '" + space.name + "'");
                return 0;
            });
        }
    }

    /** For tests: the command line of {@code atlas spaces} alone. */
    static CommandLine commandLine() {
        return new CommandLine(new SpacesCommand());
    }
}
