package dev.atlas.cli.patch;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The options that scope a patch command to one class loader ({@code --program <id>} of an
 * atlas-ulp host, or {@code --class-loader <name>}); shared by apply and rollback.
 */
final class LoaderOptions {
    @Option(names = "--program", paramLabel = "<id>",
            description = "Only program <id> of an atlas-ulp host (the pid is the host's; ids from "
                    + "'atlas host status'): the other programs, even of the same jar, keep their code.")
    Long program;

    @Option(names = "--class-loader", paramLabel = "<name>",
            description = "Only the classes of the class loader with this name (its toString if unnamed).")
    String classLoader;

    /**
     * The class loader's name ({@code program-<id>} for a program), or null for every loader.
     *
     * @throws ParameterException if both are given, or one is not a valid value
     */
    String loader(CommandSpec spec) {
        if (program != null && classLoader != null) {
            throw new ParameterException(spec.commandLine(), "--program and --class-loader both name the class loader; "
                    + "give one of them");
        }
        if (program != null && program < 1) {
            throw new ParameterException(spec.commandLine(), "--program " + program + ": expected a program id (1 or more)");
        }
        if (classLoader != null && classLoader.isBlank()) {
            throw new ParameterException(spec.commandLine(), "--class-loader is blank: expected a class loader's name");
        }
        return program != null ? "program-" + program : classLoader;
    }
}
