package dev.atlas.it.servers;

import java.util.List;

/**
 * Spring Boot 3.5 on embedded Tomcat, with the proxies a Spring application runs behind; v2 adds
 * methods and state behind each of them and changes methods they advise. The load alternates:
 * <ul>
 *   <li>{@code /tag}: a {@code @Cacheable} service behind Spring's CGLIB proxy ({@code Advised}) and a
 *       bean behind an opaque CGLIB proxy ({@code ProxyFactory.setOpaque(true)}, advice that brackets
 *       String results). v2 calls a method it adds to each, which reads the bean's existing field
 *       ({@code "EUR"}, set by its constructor) and counts in a field it adds: {@code served=EUR:<n>}
 *       and {@code opaque=[eur]EUR:<n>}. On the proxy instance the existing field is null
 *       ({@code null:<n>}, or a NullPointerException), so these show the added methods ran on the
 *       targets; {@code [eur]} shows that the changed {@code symbol()} runs its new body on the target
 *       and the proxy's advice still applies to it.</li>
 *   <li>{@code /jpa}: a {@code @Transactional} bean behind a JDK dynamic proxy reads a JPA entity (H2 in
 *       memory) through Hibernate's lazy Byte Buddy proxy ({@code getReferenceById}). v2 changes the
 *       bean's {@code detail} to call a method it adds to the entity, which reads the entity's field:
 *       {@code item=apple:5} shows it ran on the loaded entity, not on the uninitialised proxy;
 *       {@code tx=true} that the changed body still runs inside the transaction the JDK proxy's
 *       advice opened.</li>
 * </ul>
 */
class SpringBootTomcatIT extends ServerPatchingIT {
    static final ServerCase SPRING = new ServerCase("Spring Boot 3.5 / Tomcat 10.1 (+ JPA/Hibernate, AOP proxies)",
            List.of("it.spring"), "it.spring.SpringApp", List.of("/tag", "/jpa"),
            "( served=EUR:\\d+ opaque=\\[eur\\]EUR:\\d+| item=apple:5 tx=true jdk-proxy=true)", ServerCase.HTTP);

    @Override
    ServerCase server() {
        return SPRING;
    }
}
