package it.exec;

/** One job: its tags must come from one version, whichever executor runs it. */
final class Job {
    private Job() {}

    static String run() throws InterruptedException {
        String first = Version.tag();
        Thread.sleep(10);   // the job's work
        return first + "-" + Version.tag() + "-" + Version.tag();
    }
}
