package dev.atlas.patch.runtime;

import java.util.List;

/**
 * A patch whose state-transfer hook ({@code atlas$transfer()}) threw: the patch is not
 * applied (its view retired unused, no thread moved), but unlike other refusals something ran
 * in the process: the hooks in {@link #completed()} ran to the end, {@link #failed()} ran
 * until it threw, and whatever they wrote stays written (Atlas does not undo a hook).
 */
public final class TransferHookFailedException extends PatchRejectedException {
    private static final long serialVersionUID = 1L;

    private final transient List<String> completed;   // never serialised (an agent-internal refusal)
    private final String failed;

    /**
     * @param completed the classes whose hooks ran to the end, in the order they ran
     * @param failed    the class whose hook threw {@code cause}
     */
    public TransferHookFailedException(String patchId, List<String> completed, String failed, Throwable cause) {
        super("patch " + patchId + ": the state-transfer hook of " + failed + " failed in the new view: " + cause
                + " (the running code is unchanged; the patch can be applied again)", cause);
        this.completed = List.copyOf(completed);
        this.failed = failed;
    }

    /** The classes whose hooks ran to the end before the failure, in order. */
    public List<String> completed() {
        return completed;
    }

    /** The class whose hook threw. */
    public String failed() {
        return failed;
    }
}
