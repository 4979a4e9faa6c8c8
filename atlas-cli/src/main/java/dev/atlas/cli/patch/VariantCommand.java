package dev.atlas.cli.patch;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code atlas variant apply|list|remove}: per-thread variants of the running code.
 *
 * {@snippet lang=text :
 * atlas variant apply <pid> trace-checkout --trace com.acme.Cart#checkout --thread worker-3
 * atlas variant list <pid> --traces 20
 * atlas variant remove <pid> trace-checkout
 * }
 */
@Command(name = "variant", mixinStandardHelpOptions = true,
        description = "Per-thread variants of a running JVM's code: chosen methods traced (arguments, result, time) "
                + "or restricted (they throw) for the threads you name only; the other threads run as before.",
        subcommands = {VariantApplyCommand.class, VariantListCommand.class, VariantRemoveCommand.class})
public final class VariantCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing subcommand: apply, list or remove");
    }
}
