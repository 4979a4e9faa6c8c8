package dev.atlas.bench.delay;

import dev.atlas.core.View;
import dev.atlas.core.ViewSpace;

/** The two views migrated between (or a fresh view each time, retiring the previous one). */
final class Views {
    private final ViewSpace space;
    private final boolean fresh;
    private final View a;
    private final View b;
    private View previous;
    private int count;

    Views(ViewSpace space, boolean fresh) {
        this.space = space;
        this.fresh = fresh;
        this.a = space.baseView();
        this.b = fresh ? null : space.derive(a, "other").publish();
    }

    View next() {
        previous = space.defaultView();
        if (fresh) {
            return space.derive(previous, "v" + ++count).publish();
        }
        return previous == a ? b : a;
    }

    /** After the migration completed: in fresh mode, the view left behind is retired. */
    void migrated() {
        if (fresh) {
            previous.retire();
        }
    }
}
