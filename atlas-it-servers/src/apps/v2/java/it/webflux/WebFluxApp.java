package it.webflux;

import java.util.Map;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.boot.web.embedded.netty.NettyReactiveWebServerFactory;
import org.springframework.context.annotation.Bean;

/**
 * Spring WebFlux on Reactor Netty: an annotated controller calling a service. Tomcat, Jetty and
 * Undertow are on the class path too (the suite's other servers), so the application names
 * Reactor Netty's factory, as such an application does. Prints "PORT n".
 */
@SpringBootApplication
public class WebFluxApp {
    public static void main(String[] args) {
        System.out.println("PORT " + start());
    }

    /** Starts the application; returns its port. */
    public static int start() {
        SpringApplication app = new SpringApplication(WebFluxApp.class);
        app.setWebApplicationType(WebApplicationType.REACTIVE);
        app.setDefaultProperties(Map.of("server.port", "0", "server.address", "127.0.0.1",
                "spring.main.banner-mode", "off", "logging.level.root", "WARN",
                // the servers' class path has Spring Data JPA and H2 (for the Spring MVC application): not used here
                "spring.autoconfigure.exclude", "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration,"
                        + "org.springframework.boot.autoconfigure.orm.jpa.HibernateJpaAutoConfiguration,"
                        + "org.springframework.boot.autoconfigure.data.jpa.JpaRepositoriesAutoConfiguration"));
        return ((WebServerApplicationContext) app.run()).getWebServer().getPort();
    }

    @Bean
    NettyReactiveWebServerFactory reactorNetty() {
        return new NettyReactiveWebServerFactory();
    }
}
