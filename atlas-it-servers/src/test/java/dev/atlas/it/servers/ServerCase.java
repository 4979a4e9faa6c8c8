package dev.atlas.it.servers;

import java.util.List;

/**
 * One application on one server, as the tests start and patch it.
 *
 * @param name      for people ("Spring Boot 3.5 / Tomcat")
 * @param pkg       the application's package; the agent's include and the patch's are {@code pkg.**}
 * @param mainClass its main class
 * @param paths     request paths the load sends, round-robin
 * @param v2Suffix  what every v2 response has after its tags (new state a patch added), or ""
 */
record ServerCase(String name, String pkg, String mainClass, List<String> paths, String v2Suffix) {
    String include() {
        return pkg + ".**";
    }
}
