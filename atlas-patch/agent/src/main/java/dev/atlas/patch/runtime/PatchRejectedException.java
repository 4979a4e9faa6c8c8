package dev.atlas.patch.runtime;

/**
 * A patch that cannot be applied to this process: built for other class versions, naming a
 * class that is not loaded or not patchable, or whose new code does not verify or link.
 * Nothing was changed: no view was published and no thread moved.
 */
public class PatchRejectedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PatchRejectedException(String message) {
        super(message);
    }

    public PatchRejectedException(String message, Throwable cause) {
        super(message, cause);
    }
}
