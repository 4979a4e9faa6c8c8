package dev.atlas.demo.runtime;

import dev.atlas.core.observe.SpaceDescription;

import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * {@link SpaceDescription#render()}, with the virtual threads' lines (one per thread, all
 * alike) folded into one line after the first few.
 */
final class DescriptionText {
    private static final int VIRTUAL_LINES_SHOWN = 2;
    private static final String VIRTUAL_SUFFIX = "(virtual)";

    private DescriptionText() {
    }

    static String render(SpaceDescription description) {
        long virtual = description.threads().stream().filter(SpaceDescription.ThreadInfo::virtual).count();
        StringBuilder sb = new StringBuilder();
        int shown = 0;
        for (String line : description.render().split("\n")) {
            if (!line.endsWith(VIRTUAL_SUFFIX)) {
                sb.append(line).append('\n');
            } else if (shown++ < VIRTUAL_LINES_SHOWN) {
                sb.append(line).append('\n');
                if (shown == VIRTUAL_LINES_SHOWN && virtual > shown) {
                    sb.append("  ... and ").append(virtual - shown).append(" more virtual threads (of all ")
                            .append(virtual).append(": ").append(summary(description)).append(")\n");
                }
            }
        }
        return sb.toString();
    }

    /** How many virtual threads are in each view and how many have a pending migration. */
    private static String summary(SpaceDescription s) {
        Map<Long, Long> perView = s.threads().stream().filter(SpaceDescription.ThreadInfo::virtual)
                .collect(Collectors.groupingBy(SpaceDescription.ThreadInfo::viewId, TreeMap::new, Collectors.counting()));
        long pending = s.threads().stream().filter(t -> t.virtual() && t.pendingViewId() >= 0).count();
        return perView.entrySet().stream().map(e -> e.getValue() + " in view " + e.getKey())
                .collect(Collectors.joining(", ")) + ", " + pending + " with a migration pending";
    }
}
