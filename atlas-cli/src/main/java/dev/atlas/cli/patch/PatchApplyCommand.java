package dev.atlas.cli.patch;

import dev.atlas.cli.Durations;
import dev.atlas.patch.agent.command.CommandRequest;
import dev.atlas.patch.format.MalformedPatchException;
import dev.atlas.patch.format.PatchFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.time.Duration;

/**
 * {@code atlas patch apply <pid> <patch> [--timeout 30s] [--require-signature --keystore <p12>]
 * [--program <id> | --class-loader <name>]}.
 *
 * <p>The patch is copied into the private command directory and read there, by the CLI
 * (a malformed file is refused before the JVM is touched) and again by the agent. The
 * signature is checked in the target JVM, on that same private copy: the bytes whose
 * signature is checked are the bytes that get defined, and the decision is taken by the
 * process that runs the code.
 */
@Command(name = "apply", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Apply a patch to a running JVM: the new code is prepared beside the old, then every thread "
                + "moves to it at its own quiescence point (the end of its current request); nobody waits.",
                "Waits up to --timeout for every thread; a timeout does NOT roll back (the remaining threads move "
                        + "when they can): the message names them with their stacks; undo with 'atlas patch rollback'."},
        exitCodeListHeading = "Exit codes:%n", exitCodeList = {
            "0:applied, every thread moved",
            "1:refused or failed; the patch changed nothing (the message says if this command installed the agent)",
            "2:usage error",
            "3:applied, but some threads had not moved when --timeout ran out (named, with stacks)"})
final class PatchApplyCommand extends TargetCommand {
    @Parameters(index = "1", paramLabel = "<patch>", description = "The patch file (from 'atlas patch build').")
    Path patch;

    @Option(names = "--timeout", paramLabel = "<time>", defaultValue = "30s", converter = Durations.Converter.class,
            description = "How long to wait for every thread to move (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--require-signature",
            description = "Refuse the patch unless it is signed by a key trusted by --keystore (checked in the target JVM).")
    boolean requireSignature;

    @Option(names = "--keystore", paramLabel = "<p12>", description = "Key store (PKCS12) of trusted signers.")
    Path keystore;

    @Option(names = "--keystore-password", paramLabel = "<password>",
            description = "Its password (default: $ATLAS_KEYSTORE_PASSWORD, else none).")
    String keystorePassword;

    @Mixin
    LoaderOptions scope;

    @Option(names = "--include", split = ",", paramLabel = "<pattern>",
            description = "Classes to make patchable besides those the patch needs (as 'atlas attach --include'). "
                    + "Default: if the agent is not installed, it installs selecting only what the patch needs (the "
                    + "classes it changes and the supertypes whose methods it overrides) plus request boundaries; an installed "
                    + "agent's selection is widened by what the patch needs that it does not select.")
    List<String> includes = new ArrayList<>();

    @Option(names = "--exclude", split = ",", paramLabel = "<pattern>",
            description = "Classes to leave alone: those of --include, or, without it, of what the patch needs "
                    + "(the patch is then refused if it changes them).")
    List<String> excludes = new ArrayList<>();

    @Override
    CommandRequest request(Path dir) throws CliFailure, IOException {
        String loader = scope.loader(spec);
        String agentOptions = AttachCommand.agentOptions(spec, includes, excludes, List.of());
        if (requireSignature != (keystore != null)) {
            throw new ParameterException(spec.commandLine(), requireSignature
                    ? "--require-signature needs --keystore <p12> (the trusted signers)"
                    : "--keystore is used with --require-signature; add it to check the patch's signature");
        }
        if (!Files.isRegularFile(patch)) {
            throw new CliFailure("no such patch file: " + patch);
        }
        if (keystore != null && !Files.isRegularFile(keystore)) {
            throw new CliFailure("no such key store: " + keystore);
        }
        Path copy = dir.resolve("patch.atlaspatch");
        Files.copy(patch, copy);
        try {
            PatchFile.read(copy);
        } catch (MalformedPatchException e) {
            throw new CliFailure("malformed patch " + patch + ": " + e.getMessage() + "\nNothing was sent to process " + pid
                    + "; nothing changed.", e);
        }
        String password = keystorePassword != null ? keystorePassword : System.getenv("ATLAS_KEYSTORE_PASSWORD");
        return CommandRequest.apply(copy, timeout, keystore == null ? null : keystore.toAbsolutePath(), password, loader,
                agentOptions.isEmpty() ? null : agentOptions);
    }
}
