package dev.atlas.it.servers;

import java.util.List;

/**
 * Jobs on a ThreadPoolExecutor, a ForkJoinPool and a virtual-thread-per-task executor, each job a
 * lambda (a hidden class, which the agent cannot instrument): the boundary is the point between two
 * tasks inside the JDK's executors ({@code ExecutorBoundaries}), so a worker moves between jobs and
 * every job runs all-old or all-new code.
 */
class ExecutorWorkersIT extends ServerPatchingIT {
    @Override
    ServerCase server() {
        return new ServerCase("executors (ThreadPoolExecutor, ForkJoinPool, virtual thread per task)", "it.exec",
                "it.exec.ExecApp", List.of("/tag?pool=tpe", "/tag?pool=fjp", "/tag?pool=vt"), "");
    }
}
