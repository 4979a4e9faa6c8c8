package it.spring;

import java.util.Map;

import org.aopalliance.intercept.MethodInterceptor;
import org.springframework.aop.framework.ProxyFactory;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;

/**
 * Spring Boot on embedded Tomcat: a controller calling a {@code @Cacheable} (CGLIB-proxied) service, an opaque
 * CGLIB proxy made by a {@link ProxyFactory} with advice, and a {@code @Transactional} bean behind a JDK dynamic
 * proxy ({@code spring.aop.proxy-target-class=false}) that reads a JPA entity (H2 in memory) through Hibernate's
 * lazy proxy ({@code getReferenceById}). Prints "PORT n" once ready (after the entity is stored).
 */
@SpringBootApplication
@EnableCaching
public class SpringApp {
    public static void main(String[] args) {
        SpringApplication app = new SpringApplication(SpringApp.class);
        app.setDefaultProperties(Map.of("server.port", "0", "spring.main.banner-mode", "off",
                "logging.level.root", "WARN", "spring.main.web-application-type", "servlet",
                "server.tomcat.threads.max", "24", "spring.aop.proxy-target-class", "false",
                "spring.jpa.open-in-view", "false", "spring.datasource.url", "jdbc:h2:mem:items"));
        app.run(args);
    }

    /** An opaque proxy (no {@code Advised}) whose advice puts every String result of its target in brackets. */
    @Bean
    Quotes quotes() {
        ProxyFactory f = new ProxyFactory(new Quotes("EUR"));
        f.setProxyTargetClass(true);
        f.setOpaque(true);
        f.addAdvice((MethodInterceptor) call -> {
            Object result = call.proceed();
            return result instanceof String s ? "[" + s + "]" : result;
        });
        return (Quotes) f.getProxy();
    }

    @Bean
    ApplicationRunner seed(ItemRepository items) {
        return args -> items.save(new Item(1L, "apple"));
    }

    @Bean
    ApplicationListener<ApplicationReadyEvent> portPrinter() {
        return e -> System.out.println("PORT "
                + ((WebServerApplicationContext) e.getApplicationContext()).getWebServer().getPort());
    }
}
