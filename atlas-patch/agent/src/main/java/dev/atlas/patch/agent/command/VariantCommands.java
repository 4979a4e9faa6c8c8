package dev.atlas.patch.agent.command;

import dev.atlas.core.View;
import dev.atlas.core.observe.SpaceDescription;
import dev.atlas.patch.agent.command.CommandReply.Status;
import dev.atlas.patch.agent.command.CommandRequest.VariantArgs;
import dev.atlas.patch.agent.install.Installation;
import dev.atlas.patch.variant.TraceRecord;
import dev.atlas.patch.variant.Variants;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * What the agent does for {@code atlas variant apply|remove|list}, inside the target JVM:
 * the {@link Variants} of the installed agent, with the replies. Apply and remove reply as
 * soon as their migration has started, like a patch ({@link MigrationFollower} writes the
 * final reply); a refusal changes nothing.
 *
 * <p>Threading: the attach-listener thread, one command at a time.
 */
final class VariantCommands {
    private final AgentCommands commands;
    private final Installation in;
    private final long pid;

    VariantCommands(AgentCommands commands, Installation in, long pid) {
        this.commands = commands;
        this.in = in;
        this.pid = pid;
    }

    CommandReply run(CommandRequest r) {
        VariantArgs v = r.variant();
        try {
            return switch (r.verb()) {
                case VARIANT_APPLY -> apply(v, r);
                case VARIANT_REMOVE -> remove(v, r);
                case VARIANT_LIST -> list(v);
                default -> throw new IllegalArgumentException("not a variant command: " + r.verb().wireName());
            };
        } catch (IllegalArgumentException e) {
            return AgentCommands.refused(new LinkedHashMap<>(), e.getMessage());
        }
    }

    private CommandReply apply(VariantArgs v, CommandRequest r) {
        Variants.Applied a = in.variants().apply(v.name(), v.trace(), v.restrict(), v.threads());
        View view = a.variant().view();
        View parent = view.parent().orElseThrow();
        Map<String, String> f = new LinkedHashMap<>();
        f.put("variant", a.name());
        String head = "variant '" + a.name() + "' applied: view " + view.id() + " (derived from view " + parent.id()
                + ")" + patterns(a) + "; moving " + a.migration().size() + " thread(s) named " + v.threads()
                + " into it, each at its next quiescence point; the other threads are not affected.\n";
        return commands.follow(in.pipeline(), a.migration(), view, parent, r.timeout(), f, head,
                "The variant stays applied", "To remove it: atlas variant remove " + pid + " " + a.name() + "\n");
    }

    private CommandReply remove(VariantArgs v, CommandRequest r) {
        Variants.Removal rm = in.variants().remove(v.name());
        View view = rm.removed().variant().view();
        View back = rm.migration().target();
        Map<String, String> f = new LinkedHashMap<>();
        f.put("variant", rm.removed().name());
        f.put("traced-calls", Integer.toString(rm.removed().variant().traces().size()));
        String head = "variant '" + rm.removed().name() + "' removed: " + rm.migration().size()
                + " thread(s) move back to view " + back.id() + " '" + back.name()
                + "', each at its next quiescence point; view " + view.id() + " retires once they have left.\n";
        return commands.follow(in.pipeline(), rm.migration(), back, view, r.timeout(), f, head,
                "The variant is removed (no thread moves into it any more)", "");
    }

    private CommandReply list(VariantArgs v) {
        List<Variants.Applied> all = in.variants().list();
        SpaceDescription s = in.pipeline().views().space().describe();
        Map<String, String> f = new LinkedHashMap<>();
        StringJoiner names = new StringJoiner(",");
        StringBuilder sb = new StringBuilder();
        if (all.isEmpty()) {
            sb.append("Process ").append(pid).append(": no variant applied.\n");
        }
        for (Variants.Applied a : all) {
            names.add(a.name());
            View view = a.variant().view();
            List<String> inside = new ArrayList<>();
            List<String> pending = new ArrayList<>();
            for (SpaceDescription.ThreadInfo t : s.threads()) {
                if (t.viewId() == view.id()) {
                    inside.add(t.name());
                } else if (t.pendingViewId() == view.id()) {
                    pending.add(t.name());
                }
            }
            List<TraceRecord> traces = a.variant().traces();
            f.put(a.name() + ".view", Long.toString(view.id()));
            f.put(a.name() + ".threads", String.join(",", inside));
            f.put(a.name() + ".pending", String.join(",", pending));
            f.put(a.name() + ".traced-calls", Integer.toString(traces.size()));
            sb.append("variant '").append(a.name()).append("': view ").append(view.id()).append(" (")
                    .append(view.state()).append(")").append(patterns(a)).append("\n  threads in it: ")
                    .append(inside.isEmpty() ? "none" : inside);
            if (!pending.isEmpty()) {
                sb.append("; moving in at their next quiescence point: ").append(pending);
            }
            sb.append("\n  traced calls recorded: ").append(traces.size()).append('\n');
            for (TraceRecord t : traces.subList(Math.max(0, traces.size() - v.traces()), traces.size())) {
                sb.append("    ").append(t.thread()).append("  ").append(t.method()).append(t.arguments())
                        .append(" ").append(t.outcome()).append(" in ")
                        .append(String.format(Locale.ROOT, "%.3f ms", t.nanos() / 1e6)).append('\n');
            }
        }
        f.put("variants", names.toString());
        return new CommandReply(Status.OK, f, sb.toString());
    }

    private static String patterns(Variants.Applied a) {
        return (a.traced().isEmpty() ? "" : "; traces " + a.traced())
                + (a.restricted().isEmpty() ? "" : "; restricts " + a.restricted());
    }
}
