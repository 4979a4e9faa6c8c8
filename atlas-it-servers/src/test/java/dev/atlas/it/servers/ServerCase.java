package dev.atlas.it.servers;

import dev.atlas.testsupport.TaggedLoad;

import java.util.List;

/**
 * One application on one server (or several servers sharing one JVM), as the tests start and patch it.
 *
 * @param name      for people ("Spring Boot 3.5 / Tomcat")
 * @param pkgs      the application's packages; the agent's include and the patch's are {@code pkg.**} of each
 * @param mainClass its main class
 * @param paths     requests the load sends, round-robin (HTTP paths, or what {@code loads} understands)
 * @param v2Suffix  what every v2 response has after its tags (new state a patch added), or ""
 * @param loads     starts the load against a started process
 */
record ServerCase(String name, List<String> pkgs, String mainClass, List<String> paths, String v2Suffix, Loads loads) {
    /** Starts a load of {@code clients} client threads sending {@code paths} to a started server. */
    @FunctionalInterface
    interface Loads {
        TaggedLoad start(ServerProcess process, int clients, List<String> paths) throws Exception;
    }

    /** HTTP GETs of the paths to the port the process announced. */
    static final Loads HTTP = (process, clients, paths) -> new TaggedLoad(process.port(), clients, paths);

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
