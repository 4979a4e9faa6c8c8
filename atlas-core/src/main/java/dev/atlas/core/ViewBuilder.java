package dev.atlas.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Prepares a new view off to the side: declare where it diverges from its parent, add
 * cleanup actions for when it retires, then {@link #publish()} it. The view exists (in
 * state {@link ViewState#PREPARING}, visible in descriptions) from {@link ViewSpace#derive}
 * on, but no thread can enter it before it is published.
 *
 * {@snippet class=dev.atlas.core.snippets.CoreSnippets region=view-builder}
 *
 * <p>Threading contract: confined to one preparing thread; single use.
 */
public final class ViewBuilder {
    private final ViewSpace space;
    private final View view;
    private final Map<ViewKey<?>, Object> values = new LinkedHashMap<>();
    private final List<Runnable> actions = new ArrayList<>();
    private final boolean base;
    private boolean done;

    ViewBuilder(ViewSpace space, View view) {
        this(space, view, false);
    }

    ViewBuilder(ViewSpace space, View view, boolean base) {
        this.space = space;
        this.view = view;
        this.base = base;
    }

    /** The view being prepared (state PREPARING until published). */
    public View view() {
        return view;
    }

    /**
     * Declares that the view diverges from its parent in {@code key}'s area, with
     * {@code value} as its own content there.
     *
     * @throws IllegalArgumentException if the key was already declared in this builder, or
     *                                  the value is not of the key's type
     */
    public <T> ViewBuilder diverge(ViewKey<T> key, T value) {
        checkOpen();
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        if (!key.type().isInstance(value)) {
            throw new IllegalArgumentException("value for " + key + " is a " + value.getClass().getName());
        }
        if (values.containsKey(key)) {
            throw new IllegalArgumentException(key + " is already declared for view " + view.describe());
        }
        values.put(key, value);
        return this;
    }

    /** Adds an action to run, exactly once, when the view retires (on the housekeeper thread). */
    public ViewBuilder onRetire(Runnable action) {
        checkOpen();
        actions.add(Objects.requireNonNull(action, "action"));
        return this;
    }

    /** Publishes the view, immutable and ACTIVE; threads may now be bound or migrated to it. */
    public View publish() {
        checkOpen();
        checkNotBase("publish");
        done = true;
        return space.publish(view, values, actions);
    }

    /** Gives the view up before publishing: it retires at once and its actions run. */
    public void abandon() {
        checkOpen();
        checkNotBase("abandon");
        done = true;
        space.abandon(view, actions);
    }

    /** Called by ViewSpace's constructor once the base setup has returned. */
    void publishBase() {
        checkOpen();
        done = true;
        space.publish(view, values, actions);
    }

    private void checkNotBase(String operation) {
        if (base) {
            throw new IllegalStateException("cannot " + operation + " the base view inside its setup;"
                    + " ViewSpace.create publishes it when the setup returns");
        }
    }

    private void checkOpen() {
        if (done) {
            throw new IllegalStateException("view " + view.describe() + " was already "
                    + (view.state() == ViewState.ACTIVE ? "published" : "abandoned") + "; a builder is single use");
        }
    }
}
