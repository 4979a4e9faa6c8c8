package dev.atlas.cli.patch;

import dev.atlas.cli.Durations;
import dev.atlas.patch.agent.command.CommandRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** {@code atlas variant apply <pid> <name> --trace|--restrict Type#method... --thread <name>... [--timeout 30s]}. */
@Command(name = "apply", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Publish a variant of the current code in which the given methods are traced or restricted, "
                + "and move the named threads into it, each at its next quiescence point (the end of its current "
                + "request or task). Other threads are not affected.",
                "A patch applied later moves every thread, those in a variant included, to the patched code."},
        exitCodeListHeading = "Exit codes:%n", exitCodeList = {
            "0:applied, every named thread moved into the variant",
            "1:refused (unknown thread or method, name in use, agent not installed...) or failed; nothing changed",
            "2:usage error",
            "3:applied, but some named threads had not moved when --timeout ran out (named, with stacks)"})
final class VariantApplyCommand extends TargetCommand {
    @Parameters(index = "1", paramLabel = "<name>", description = "The variant's name (letters, digits, . _ -).")
    String name;

    @Option(names = "--trace", paramLabel = "<Type#method>",
            description = "Record every call of every overload of this method (dotted class name) made by the "
                    + "variant's threads. Repeatable.")
    List<String> trace = new ArrayList<>();

    @Option(names = "--restrict", paramLabel = "<Type#method>",
            description = "Make this method throw RestrictedMethodException for the variant's threads. Repeatable.")
    List<String> restrict = new ArrayList<>();

    @Option(names = "--thread", paramLabel = "<thread-name>", required = true,
            description = "Name of a thread to move into the variant (every live thread of that name). Repeatable.")
    List<String> threads = new ArrayList<>();

    @Option(names = "--timeout", paramLabel = "<time>", defaultValue = "30s", converter = Durations.Converter.class,
            description = "How long to wait for the named threads to move (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    CommandRequest request(Path dir) {
        if (trace.isEmpty() && restrict.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "give at least one --trace or --restrict <Type#method>");
        }
        for (String p : concat(trace, restrict)) {
            int h = p.indexOf('#');
            if (h <= 0 || h == p.length() - 1) {
                throw new ParameterException(spec.commandLine(), "method '" + p
                        + "': expected Type#method, e.g. com.acme.Cart#checkout");
            }
        }
        return CommandRequest.variantApply(name, trace, restrict, threads, timeout);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
