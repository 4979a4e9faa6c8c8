package dev.atlas.patch.agent;

import dev.atlas.patch.instrument.BoundaryMatcher;

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
 *   warmup=false                       do not run the patch path once at start (see PatchPathWarmup)
 * </pre>
 *
 * @param includes   class patterns to make patchable
 * @param excludes   class patterns to leave alone
 * @param boundaries request-boundary patterns ({@code Type#method})
 * @param warmup     whether to warm the patch path up when the agent starts
 */
public record AgentOptions(List<String> includes, List<String> excludes, List<String> boundaries, boolean warmup) {
    /**
     * @throws IllegalArgumentException naming an unknown key or a malformed pair
     */
    public static AgentOptions parse(String args) {
        List<String> inc = new ArrayList<>();
        List<String> exc = new ArrayList<>();
        List<String> bnd = new ArrayList<>(BoundaryMatcher.DEFAULTS);
        boolean customBoundaries = false;
        boolean warmup = true;
        if (args != null && !args.isBlank()) {
            for (String pair : args.split(",")) {
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("agent option '" + pair + "': expected key=value "
                            + "(keys: include, exclude, boundary, warmup)");
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
                    default -> throw new IllegalArgumentException("agent option '" + key + "': unknown; expected "
                            + "include, exclude, boundary or warmup");
                }
            }
        }
        return new AgentOptions(List.copyOf(inc), List.copyOf(exc), List.copyOf(bnd), warmup);
    }
}
