package dev.atlas.patch.agent.install;

import dev.atlas.patch.instrument.BoundaryMatcher;
import dev.atlas.patch.jit.JitPriority;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The agent's options, from {@code -javaagent:atlas-agent.jar=OPTIONS} or the attach
 * request: comma-separated {@code key=value} pairs, list values separated by {@code ;}.
 *
 * <pre>
 *   include=com.acme.**;org.shop.*     classes to make patchable (default: every application class)
 *   exclude=com.acme.generated.**      classes to leave alone
 *   boundary=com.acme.Worker#process   request-boundary methods (default: HTTP handlers and servlets)
 *   boundary=none                      no request boundaries
 *   warmup=false                       do not run the patch path once at start (see dev.atlas.patch.warmup.PatchPathWarmup)
 *   jitPriority=idle                   how the JIT's compiler threads run while a patch goes in:
 *                                      idle (SCHED_IDLE, the default), a nice value 1 to 19, or off
 *                                      (also 0: leave them alone); see JitPriorityWindow
 * </pre>
 *
 * <p>{@code jitPriority} takes effect only on Linux, with native access enabled for the agent
 * ({@code --enable-native-access=ALL-UNNAMED}) and where the process may raise a thread's
 * priority back (root, {@code CAP_SYS_NICE}, or {@code RLIMIT_NICE} of 20); otherwise each
 * patch's reply says why the JIT was left alone.
 *
 * @param includes   class patterns to make patchable
 * @param excludes   class patterns to leave alone
 * @param boundaries request-boundary patterns ({@code Type#method})
 * @param warmup     whether to warm the patch path up when the agent starts
 * @param jitPriority how the JIT's compiler threads run while a patch goes in
 */
public record AgentOptions(List<String> includes, List<String> excludes, List<String> boundaries, boolean warmup,
                           JitPriority jitPriority) {
    /** The default {@code jitPriority}: {@code SCHED_IDLE}. */
    public static final JitPriority DEFAULT_JIT_PRIORITY = JitPriority.IDLE;

    /**
     * @throws IllegalArgumentException naming an unknown key or a malformed pair
     */
    public static AgentOptions parse(String args) {
        List<String> inc = new ArrayList<>();
        List<String> exc = new ArrayList<>();
        List<String> bnd = new ArrayList<>(BoundaryMatcher.DEFAULTS);
        boolean customBoundaries = false;
        boolean warmup = true;
        JitPriority jitPriority = DEFAULT_JIT_PRIORITY;
        if (args != null && !args.isBlank()) {
            for (String pair : args.split(",")) {
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("agent option '" + pair + "': expected key=value "
                            + "(keys: include, exclude, boundary, warmup, jitPriority)");
                }
                String key = pair.substring(0, eq).trim();
                List<String> values = Arrays.stream(pair.substring(eq + 1).split(";")).map(String::trim)
                        .filter(v -> !v.isEmpty()).toList();
                switch (key) {
                    case "include" -> inc.addAll(values);
                    case "exclude" -> exc.addAll(values);
                    case "boundary" -> {
                        if (!customBoundaries) {
                            bnd.clear();
                            customBoundaries = true;
                        }
                        if (!values.equals(List.of("none"))) {
                            bnd.addAll(values);
                        }
                    }
                    case "warmup" -> {
                        if (!values.equals(List.of("true")) && !values.equals(List.of("false"))) {
                            throw new IllegalArgumentException("agent option warmup=" + String.join(";", values)
                                    + ": expected true or false");
                        }
                        warmup = values.get(0).equals("true");
                    }
                    case "jitPriority" -> jitPriority = parseJitPriority(String.join(";", values));
                    default -> throw new IllegalArgumentException("agent option '" + key + "': unknown; expected "
                            + "include, exclude, boundary, warmup or jitPriority");
                }
            }
        }
        return new AgentOptions(List.copyOf(inc), List.copyOf(exc), List.copyOf(bnd), warmup, jitPriority);
    }

    private static JitPriority parseJitPriority(String value) {
        try {
            return JitPriority.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("agent option jitPriority=" + value + ": expected idle (SCHED_IDLE, the "
                    + "default), off (or 0: leave the JIT's priority alone), or a nice value from 1 to 19", e);
        }
    }
}
