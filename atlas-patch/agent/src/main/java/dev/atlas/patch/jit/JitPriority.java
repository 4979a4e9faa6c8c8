package dev.atlas.patch.jit;

/**
 * How the JIT's compiler threads run while a patch goes in (the agent option
 * {@code jitPriority}): {@linkplain #IDLE idle}, at a {@linkplain #nice(int) nice value}, or
 * left alone ({@linkplain #OFF off}).
 *
 * {@snippet class=dev.atlas.patch.snippets.AgentSnippets region=jit-priority}
 *
 * <p>Idle means Linux's {@code SCHED_IDLE} policy: a compiler thread then runs only on a
 * core no other thread wants, and a request thread that wakes up takes the core from it at
 * once. A nice value only lowers the thread's share of a busy core: under the kernel's EEVDF
 * scheduler a running nice-19 thread keeps its core for the rest of its time slice (a few
 * milliseconds) when a request thread wakes, and the request waits for it.
 *
 * @param kind what is done
 * @param nice the nice value for {@link Kind#NICE} (1 to 19); 0 otherwise
 */
public record JitPriority(Kind kind, int nice) {

    /** What a window does to the compiler threads. */
    public enum Kind {
        /** Nothing. */
        OFF,
        /** Sets their nice value ({@code setpriority(2)}). */
        NICE,
        /** Sets their policy to {@code SCHED_IDLE} ({@code sched_setscheduler(2)}). */
        IDLE
    }

    /** The highest nice value Linux has (the lowest priority). */
    public static final int MAX_NICE = 19;

    /** Leaves the JIT alone. */
    public static final JitPriority OFF = new JitPriority(Kind.OFF, 0);

    /** {@code SCHED_IDLE}: the default. */
    public static final JitPriority IDLE = new JitPriority(Kind.IDLE, 0);

    /**
     * @throws IllegalArgumentException if {@code nice} is set for a kind other than NICE, or
     *                                  is not 1 to 19 for NICE
     */
    public JitPriority {
        if (kind == null) {
            throw new IllegalArgumentException("JIT priority kind is null, expected OFF, NICE or IDLE");
        }
        if (kind == Kind.NICE ? nice < 1 || nice > MAX_NICE : nice != 0) {
            throw new IllegalArgumentException("JIT nice value is " + nice + " for " + kind + ", expected "
                    + (kind == Kind.NICE ? "1 to " + MAX_NICE : "0"));
        }
    }

    /**
     * Nice value {@code nice}: 1 to 19, or 0 for {@link #OFF}.
     *
     * @throws IllegalArgumentException naming the value if it is not 0 to 19
     */
    public static JitPriority nice(int nice) {
        if (nice < 0 || nice > MAX_NICE) {
            throw new IllegalArgumentException("JIT nice value is " + nice + ", expected 0 (leave the JIT alone) to "
                    + MAX_NICE);
        }
        return nice == 0 ? OFF : new JitPriority(Kind.NICE, nice);
    }

    /**
     * The option's value: {@code idle}, {@code off} (or {@code 0}), or a nice value 1 to 19.
     *
     * @throws IllegalArgumentException naming the value and what is expected
     */
    public static JitPriority parse(String value) {
        String v = value == null ? "" : value.trim();
        if (v.equals("idle")) {
            return IDLE;
        }
        if (v.equals("off")) {
            return OFF;
        }
        int n;
        try {
            n = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 0 || n > MAX_NICE) {
            throw new IllegalArgumentException("JIT priority '" + value + "': expected idle (SCHED_IDLE, the default), "
                    + "off (or 0: leave the JIT alone), or a nice value from 1 to " + MAX_NICE);
        }
        return nice(n);
    }

    /** Whether a window with this priority changes anything. */
    public boolean isOff() {
        return kind == Kind.OFF;
    }

    /** What a lowered compiler thread runs at: {@code SCHED_IDLE}, {@code nice 19}; {@code off}. */
    public String describe() {
        return switch (kind) {
            case OFF -> "off";
            case NICE -> "nice " + nice;
            case IDLE -> "SCHED_IDLE";
        };
    }

    /** The option's syntax: {@code idle}, {@code off}, or the nice value. */
    @Override
    public String toString() {
        return switch (kind) {
            case OFF -> "off";
            case NICE -> Integer.toString(nice);
            case IDLE -> "idle";
        };
    }
}
