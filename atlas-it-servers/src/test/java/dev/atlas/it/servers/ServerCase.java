package dev.atlas.it.servers;

import dev.atlas.testsupport.TaggedLoad;

import java.util.List;

/**
 * One application on one server (or several servers sharing one JVM), as the tests start and patch it.
 *
 * <p>The suite's load is an open loop at {@link #RATE} requests per second ({@code -Datlas.servers.rate=N},
 * default 300), sent from the test JVM (a process other than the server's).
 *
 * @param name      for people ("Spring Boot 3.5 / Tomcat")
 * @param pkgs      the application's packages; the agent's include and the patch's are {@code pkg.**} of each
 * @param mainClass its main class
 * @param paths     requests the load sends, round-robin (HTTP paths, or what {@code loads} understands)
 * @param v2Suffix  a regular expression for what every v2 response has after its tags (new state a patch added;
 *                  more may follow), or ""
 * @param loads     how a request reaches a started process
 */
record ServerCase(String name, List<String> pkgs, String mainClass, List<String> paths, String v2Suffix, Loads loads) {
    /** The open loop's rate, requests per second. */
    static final int RATE = Integer.getInteger("atlas.servers.rate", 300);

    /** How requests reach a started server. */
    @FunctionalInterface
    interface Loads {
        TaggedLoad.Exchange connect(ServerProcess process) throws Exception;
    }

    /** Below this share of its target rate, a run says that it ran at a lower load ({@link #rateNote}). */
    static final double RATE_REACHED = 0.95;

    /**
     * What an open loop achieved, and, when it answered fewer than {@link #RATE_REACHED} of its target rate,
     * a sentence saying so: such a run tested the server at the lower load it could take, not at the target.
     */
    static String rateNote(TaggedLoad.Rate r) {
        if (r.target() <= 0 || r.achieved() >= RATE_REACHED * r.target()) {
            return r.toString();
        }
        return String.format(java.util.Locale.ROOT, "%s; BELOW TARGET: %.0f of %d requests/s (%.0f%%), the server "
                + "did not keep up on this machine, so this run had a lower load", r, r.achieved(), r.target(),
                100 * r.achieved() / r.target());
    }

    /** HTTP GETs of the paths to the port the process announced. */
    static final Loads HTTP = process -> TaggedLoad.http(process.port());

    /** The suite's load on a started server: an open loop at {@code rate} requests per second. */
    TaggedLoad load(ServerProcess process, int rate) throws Exception {
        return TaggedLoad.openLoop(rate, paths, loads.connect(process));
    }

    /** One package, HTTP load. */
    ServerCase(String name, String pkg, String mainClass, List<String> paths, String v2Suffix) {
        this(name, List.of(pkg), mainClass, paths, v2Suffix, HTTP);
    }

    /** The include patterns as the command line takes them ({@code --include a.**,b.**}). */
    String include() {
        return String.join(",", patterns());
    }

    /** The {@code -javaagent} option selecting the same classes ({@code include=a.**;b.**}). */
    String agentOptions() {
        return "include=" + String.join(";", patterns());
    }

    private List<String> patterns() {
        return pkgs.stream().map(p -> p + ".**").toList();
    }
}
