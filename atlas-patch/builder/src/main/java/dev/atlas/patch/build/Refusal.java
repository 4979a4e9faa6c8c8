package dev.atlas.patch.build;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Why the builder will not make a patch: something it cannot apply safely.
 *
 * @param className internal name of the class concerned
 * @param member the member concerned ({@code name descriptor}), or empty for the class itself
 * @param reason what changed and why it cannot be patched; a class the new build adds is named
 *        by its own name, not by the name the builder gives it inside the patch
 */
public record Refusal(String className, String member, String reason) {
    /** The suffix of an added class's name inside a patch ({@code R$$AtlasPatch$<id8>}). */
    private static final Pattern PATCH_NAME = Pattern.compile("\\$\\$AtlasPatch\\$[0-9a-f]{8}");

    public Refusal {
        Objects.requireNonNull(className, "className");
        member = PATCH_NAME.matcher(member == null ? "" : member).replaceAll("");
        reason = PATCH_NAME.matcher(Objects.requireNonNull(reason, "reason")).replaceAll("");
    }

    @Override
    public String toString() {
        return className + (member.isEmpty() ? "" : " " + member) + ": " + reason;
    }
}
