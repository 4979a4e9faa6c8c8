package dev.atlas.it.servers;

import java.util.List;

/**
 * Spring Boot 3.5 on embedded Tomcat: a controller calling a {@code @Cacheable} (CGLIB-proxied) service.
 * v2 calls a method it adds to the service, which reads the service's existing field ({@code "EUR"},
 * set by its constructor) and counts in a field it adds: every v2 response must carry
 * {@code served=EUR:<n>}. Called through the proxy, the added method must run on the target object
 * (on the proxy instance the existing field is null: {@code served=null:<n>}).
 */
class SpringBootTomcatIT extends ServerPatchingIT {
    @Override
    ServerCase server() {
        return new ServerCase("Spring Boot 3.5 / Tomcat 10.1", "it.spring", "it.spring.SpringApp", List.of("/tag"), " served=EUR:");
    }
}
