package dev.atlas.it.servers;

import java.util.List;

/**
 * Spring Boot 3.5 on embedded Tomcat: a controller calling a {@code @Cacheable} (CGLIB-proxied) service.
 * v2 calls a method it adds to the service, which counts in a field it adds: every v2 response must
 * carry that count. (The added method runs on the proxy instance, not on the target: its read of the
 * service's existing field gives null there, {@code served=null:N}; not fixed, see the README.)
 */
class SpringBootTomcatIT extends ServerPatchingIT {
    @Override
    ServerCase server() {
        return new ServerCase("Spring Boot 3.5 / Tomcat 10.1", "it.spring", "it.spring.SpringApp", List.of("/tag"), " served=");
    }
}
