package it.spring;

import java.util.Map;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.web.context.WebServerInitializedEvent;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;

/** Spring Boot on embedded Tomcat: a controller calling a {@code @Cacheable} (CGLIB-proxied) service. Prints "PORT n". */
@SpringBootApplication
@EnableCaching
public class SpringApp {
    public static void main(String[] args) {
        SpringApplication app = new SpringApplication(SpringApp.class);
        app.setDefaultProperties(Map.of("server.port", "0", "spring.main.banner-mode", "off",
                "logging.level.root", "WARN", "spring.main.web-application-type", "servlet",
                "server.tomcat.threads.max", "24"));
        app.run(args);
    }

    @Bean
    ApplicationListener<WebServerInitializedEvent> portPrinter() {
        return e -> System.out.println("PORT " + e.getWebServer().getPort());
    }
}
