package dev.atlas.patch.agent;

import dev.atlas.patch.agent.command.CommandChannel;
import dev.atlas.patch.agent.install.AgentInstaller;

import java.lang.instrument.Instrumentation;

/**
 * The Atlas agent: makes application classes patchable, at start-up or by late attach.
 *
 * <pre>
 *   java -javaagent:atlas-agent.jar[=include=com.acme.**] -jar app.jar     # preferred
 *   atlas attach &lt;pid&gt;                                                  # late: needs -XX:+EnableDynamicAgentLoading on JDK 21+
 * </pre>
 *
 * <p>With {@code -javaagent} classes are instrumented as they load, before their first
 * use, and no class is ever redefined. By late attach, the classes already loaded are
 * retransformed once, at attach (a one-time JVM operation, before any patch); JDK 21+
 * prints a warning for dynamically loaded agents unless the target JVM was started with
 * {@code -XX:+EnableDynamicAgentLoading} (and refuses if it was started with
 * {@code -XX:-EnableDynamicAgentLoading}). Loading the agent a second time changes nothing;
 * {@code atlas attach --include} (a command) widens an installed agent's selection instead
 * ({@code AgentInstaller.widen}).
 *
 * <p>The agent's parts: {@link AgentInstaller} (the transformer and the patch pipeline),
 * {@link CommandChannel} (operator commands).
 *
 * <p>Threading: installation is serialised ({@link AgentInstaller}).
 */
public final class AtlasAgent {
    private AtlasAgent() {}

    public static void premain(String args, Instrumentation inst) {
        AgentInstaller.install(args, inst, false);
    }

    /** Late attach: installs the agent, or runs an operator command ({@link CommandChannel}). */
    public static void agentmain(String args, Instrumentation inst) {
        if (CommandChannel.isCommand(args)) {
            CommandChannel.run(args, inst);
            return;
        }
        AgentInstaller.install(args, inst, true);
    }
}
