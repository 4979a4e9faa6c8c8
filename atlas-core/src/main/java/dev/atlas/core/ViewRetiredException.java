package dev.atlas.core;

/**
 * Thrown when an operation needs a view that accepts new threads (state {@code ACTIVE}),
 * but the view is preparing, retiring or retired. Nothing was changed.
 */
public final class ViewRetiredException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    private final long viewId;
    private final ViewState state;

    ViewRetiredException(View view, ViewState state, String operation) {
        super(operation + ": view " + view.describe() + " is " + state
                + (state == ViewState.PREPARING
                        ? "; publish() it first"
                        : "; expected an ACTIVE view (derive a new one instead)"));
        this.viewId = view.id();
        this.state = state;
    }

    /**
     * For modules built on views: {@code operation} was refused because {@code view} is not
     * {@code ACTIVE} (its state is read now).
     */
    public ViewRetiredException(View view, String operation) {
        this(view, view.state(), operation);
    }

    /** The id of the view that was not active. */
    public long viewId() {
        return viewId;
    }

    /** Its state when the operation was refused. */
    public ViewState state() {
        return state;
    }
}
