package dev.atlas.patch.agent.command;

import dev.atlas.patch.agent.install.AgentOptions;
import dev.atlas.patch.instrument.ClassSelector;

import java.util.ArrayList;
import java.util.List;

/**
 * The selection options of an {@code attach} or {@code apply} sent to an agent that may already
 * be installed: the includes (with their excludes) that widen its selection, and the options an
 * installed agent cannot take any more.
 *
 * @param selector the classes to add (null: no include given)
 * @param excludes the exclude patterns given
 * @param ignored  for an installed agent, {@code "; the options given for ... are ignored"}, or ""
 */
record GivenSelection(ClassSelector selector, List<String> excludes, String ignored) {
    /**
     * @param options the agent options of the request (null or empty: none)
     * @throws IllegalArgumentException naming a malformed option or pattern
     */
    static GivenSelection parse(String options) {
        AgentOptions o = AgentOptions.parse(options);
        List<String> ignored = new ArrayList<>();
        if (options != null && !options.isBlank()) {
            for (int from = 0; from < options.length(); ) {   // key=value pairs, checked by AgentOptions.parse
                int comma = options.indexOf(',', from);
                int to = comma < 0 ? options.length() : comma;
                String key = options.substring(from, options.indexOf('=', from)).trim();
                if (!key.equals("include") && !key.equals("exclude") && !ignored.contains(key)) {
                    ignored.add(key);
                }
                from = to + 1;
            }
        }
        if (o.includes().isEmpty() && !o.excludes().isEmpty()) {
            ignored.add("exclude (without include: a selection is widened, never narrowed)");
        }
        return new GivenSelection(o.includes().isEmpty() ? null : new ClassSelector(o.includes(), o.excludes()),
                o.excludes(), ignored.isEmpty() ? "" : "; the options given for " + String.join(", ", ignored)
                + " are ignored (they are set when the agent installs)");
    }
}
