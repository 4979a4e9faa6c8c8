package dev.atlas.ulp;

/**
 * One line of {@code atlas host status}: a program as it is now.
 *
 * @param id            the program's id
 * @param commandLine   its jar or main class and arguments
 * @param threadMode    the kind of its main thread
 * @param threads       its live threads (its main thread and the platform threads it started;
 *                      virtual threads it started itself are not counted)
 * @param cpuMillis     CPU time of its platform threads (a virtual main thread's is not measurable)
 * @param allocatedBytes bytes allocated by its platform threads
 * @param classes       classes its loader defined
 * @param uptimeMillis  time since it started
 */
public record ProgramStatus(long id, String commandLine, ThreadMode threadMode, int threads, long cpuMillis,
                            long allocatedBytes, int classes, long uptimeMillis) {
}
