package dev.atlas.demo.runtime;

/** The kinds of thread the demo runs; a thread's kind is told by its name. */
enum WorkerKind {
    /** A platform worker of the busy QuiescentThreadPool, fed by the load generator. */
    POOL("pool-worker-", "pool worker"),
    /** A platform worker of a QuiescentThreadPool that never gets a task: always idle. */
    IDLE("idle-worker-", "idle worker"),
    /** A virtual thread looping short requests, with a quiescence point between two. */
    VIRTUAL("vthread-", "virtual"),
    /** The thread whose requests each take hundreds of milliseconds: the straggler. */
    LONG("long-request", "long request"),
    /** Not one of the demo's threads. */
    OTHER("", "other");

    private final String namePrefix;
    private final String label;

    WorkerKind(String namePrefix, String label) {
        this.namePrefix = namePrefix;
        this.label = label;
    }

    String namePrefix() {
        return namePrefix;
    }

    /** The prefix for {@code QuiescentThreadPool.create}, which appends "-N" itself. */
    String poolNamePrefix() {
        return namePrefix.substring(0, namePrefix.length() - 1);
    }

    String label() {
        return label;
    }

    static WorkerKind of(String threadName) {
        for (WorkerKind k : values()) {
            if (k != OTHER && threadName.startsWith(k.namePrefix)) {
                return k;
            }
        }
        return OTHER;
    }
}
