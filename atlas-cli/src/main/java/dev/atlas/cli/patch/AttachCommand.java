package dev.atlas.cli.patch;

import dev.atlas.patch.agent.command.CommandRequest;
import dev.atlas.patch.instrument.BoundaryMatcher;
import dev.atlas.patch.instrument.ClassSelector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code atlas attach <pid> [--include ..] [--exclude ..] [--boundary ..]}: late attach.
 * The classes already loaded are retransformed once; the JVM should have been started with
 * {@code -XX:+EnableDynamicAgentLoading} (JDK 21+ warns otherwise, and refuses with
 * {@code -XX:-EnableDynamicAgentLoading}). {@code -javaagent:atlas-agent.jar} at start-up is
 * preferred: no class is ever redefined. On a JVM whose agent is installed, {@code --include}
 * widens its selection (with {@code --exclude} applying to those includes); nothing narrows it.
 */
@Command(name = "attach", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Install the Atlas agent in a running JVM (late attach): makes its application classes "
                + "patchable, retransforming those already loaded once.",
                "Preferred instead: start the JVM with -javaagent:atlas-agent.jar. Late attach needs "
                        + "-XX:+EnableDynamicAgentLoading on JDK 21+ to avoid the JDK's warning (and is refused under "
                        + "-XX:-EnableDynamicAgentLoading). If the agent is already installed, --include widens its "
                        + "selection (the loaded classes newly selected are retransformed once; a selection is never "
                        + "narrowed); its other options stay."},
        exitCodeListHeading = "Exit codes:%n", exitCodeList = {
            "0:installed (or already installed)", "1:refused or failed (see the message)", "2:usage error"})
public final class AttachCommand extends TargetCommand {
    @Option(names = "--include", split = ",", paramLabel = "<pattern>",
            description = "Classes to make patchable: com.acme.Foo, com.acme.* (a package), com.acme.** (a tree), ** "
                    + "(default: every application class).")
    List<String> includes = new ArrayList<>();

    @Option(names = "--exclude", split = ",", paramLabel = "<pattern>", description = "Classes to leave alone.")
    List<String> excludes = new ArrayList<>();

    @Option(names = "--boundary", split = ",", paramLabel = "<Type#method>",
            description = "Request-boundary methods (default: HttpHandler#handle, Servlet#service, HttpServlet#doGet...;"
                    + " 'none' for none).")
    List<String> boundaries = new ArrayList<>();

    @Override
    CommandRequest request(Path dir) {
        return CommandRequest.attach(agentOptions(spec, includes, excludes, boundaries));
    }

    /**
     * The agent options for these patterns ({@code include=a;b,exclude=..,boundary=..}; "" for none).
     *
     * @throws ParameterException naming a malformed pattern
     */
    static String agentOptions(CommandSpec spec, List<String> includes, List<String> excludes, List<String> boundaries) {
        for (List<String> patterns : List.of(includes, excludes, boundaries)) {
            for (String pattern : patterns) {
                int eq = pattern.indexOf('=');
                if (eq >= 0) {   // 'x,bogus=1' split at the comma: not a pattern but an option the agent does not know
                    throw new ParameterException(spec.commandLine(), "'" + pattern + "' is not a class pattern: unknown "
                            + "option '" + pattern.substring(0, eq) + "' (patterns are separated by commas; the options "
                            + "are --include, --exclude and --boundary)");
                }
            }
        }
        try {
            new ClassSelector(includes, excludes);
            new BoundaryMatcher(boundaries.equals(List.of("none")) ? List.of() : boundaries);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        List<String> parts = new ArrayList<>();
        if (!includes.isEmpty()) {
            parts.add("include=" + String.join(";", includes));
        }
        if (!excludes.isEmpty()) {
            parts.add("exclude=" + String.join(";", excludes));
        }
        if (!boundaries.isEmpty()) {
            parts.add("boundary=" + String.join(";", boundaries));
        }
        return String.join(",", parts);
    }
}
