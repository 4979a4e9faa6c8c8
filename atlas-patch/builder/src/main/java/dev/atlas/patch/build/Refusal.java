package dev.atlas.patch.build;

import java.util.Objects;

/**
 * Why the builder will not make a patch: something it cannot apply safely.
 *
 * @param className internal name of the class concerned
 * @param member the member concerned ({@code name descriptor}), or empty for the class itself
 * @param reason what changed and why it cannot be patched
 */
public record Refusal(String className, String member, String reason) {
    public Refusal {
        Objects.requireNonNull(className, "className");
        member = member == null ? "" : member;
        Objects.requireNonNull(reason, "reason");
    }

    @Override
    public String toString() {
        return className + (member.isEmpty() ? "" : " " + member) + ": " + reason;
    }
}
