package dev.atlas.patch.build;

import dev.atlas.patch.format.Patch;
import java.util.List;
import java.util.Optional;

/**
 * The outcome of {@link PatchBuilder#diff}: a patch, or the reasons there is none; plus
 * notes on what was ignored (debug-only or annotation-only differences, removed private
 * methods, a static initialiser replaced by a transfer hook).
 *
 * {@snippet class=dev.atlas.patch.snippets.BuilderSnippets region=build-result}
 *
 * @param patch the patch, or empty when refused
 * @param refusals non-empty exactly when there is no patch
 * @param notes what the builder ignored or decided, for the user
 */
public record BuildResult(Optional<Patch> patch, List<Refusal> refusals, List<String> notes) {
    public BuildResult {
        refusals = List.copyOf(refusals);
        notes = List.copyOf(notes);
        if (patch.isPresent() == !refusals.isEmpty()) {
            throw new IllegalArgumentException("a build result has either a patch or refusals");
        }
    }

    public boolean isRefused() {
        return patch.isEmpty();
    }

    /** The patch, or an exception listing the refusals. */
    public Patch patchOrThrow() {
        return patch.orElseThrow(() -> new IllegalStateException("patch refused: " + refusals));
    }
}
