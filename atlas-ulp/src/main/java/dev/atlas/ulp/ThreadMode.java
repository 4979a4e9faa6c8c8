package dev.atlas.ulp;

/** What kind of thread a program's main thread is. */
public enum ThreadMode {
    /** A virtual thread: switched at user level on the host's carriers (the default). */
    VIRTUAL,
    /** A platform thread of the program's own (a kernel context: blocking calls never pin a carrier). */
    PLATFORM
}
