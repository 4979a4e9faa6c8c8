package dev.atlas.cli.spaces;

import dev.atlas.spaces.SpaceInfo;
import dev.atlas.spaces.format.SpaceMetadata;

import java.util.Locale;
import java.util.Map;

/** The text of {@code atlas spaces inspect}. Stateless. */
final class SpaceReport {
    private SpaceReport() {}

    static String render(SpaceInfo i) {
        SpaceMetadata m = i.metadata();
        StringBuilder b = new StringBuilder();
        b.append("space ").append(m.name()).append(" (id ").append(Long.toHexString(m.spaceId())).append(")\n");
        b.append("  owner uid ").append(m.ownerUid()).append(", mode 0").append(Integer.toOctalString(m.mode())).append('\n');
        b.append("  size ").append(bytes(i.size())).append(", heap used ")
                .append(i.heapUsed() < 0 ? "unknown (heap unreadable)" : bytes(i.heapUsed())).append('\n');
        b.append("  segments:\n");
        for (SpaceMetadata.Segment s : m.segments()) {
            b.append(String.format(Locale.ROOT, "    %-12s 0x%x-0x%x  %s  FIXED%n", s.name(), s.base(), s.base() + s.size(),
                    bytes(s.size())));
        }
        b.append("  roots:").append(m.roots().isEmpty() ? " none\n" : "\n");
        for (Map.Entry<String, SpaceMetadata.Root> r : m.roots().entrySet()) {
            b.append(String.format(Locale.ROOT, "    %-20s %-16s 0x%x%n", r.getKey(), r.getValue().type(), r.getValue().address()));
        }
        b.append("  attached (read-write): ").append(i.attached().isEmpty() ? "none" : "pids " + i.attached()).append('\n');
        if (!i.deadAttached().isEmpty()) {
            b.append("  died while attached: pids ").append(i.deadAttached())
                    .append(" (stale entries; reused by the next attacher)\n");
        }
        b.append("  lock: ");
        if (i.lockHolder() == 0) b.append("free");
        else if (i.lockHolderAlive()) b.append("held by pid ").append(i.lockHolder());
        else b.append("held by pid ").append(i.lockHolder()).append(", which is dead: the next locker takes it over"
                    + " and learns what the holder was doing");
        return b.append('\n').toString();
    }

    static String bytes(long n) {
        if (n < 1024) return n + " B";
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, v == Math.rint(v) ? "%.0f %s" : "%.1f %s", v, units[u]);
    }
}
