package it.webflux;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * {@code /tag}: the body is computed when WebFlux subscribes, on the event loop, inside the
 * {@code channelRead} that delivered the request. {@code /offload}: the blocking work is moved to
 * {@code Schedulers.boundedElastic()} (as Reactor recommends), where it runs as one executor task.
 */
@RestController
public class TagController {
    private final TagService service;

    public TagController(TagService service) {
        this.service = service;
    }

    @GetMapping("/tag")
    public Mono<String> tag() {
        return Mono.fromCallable(service::body);
    }

    @GetMapping("/offload")
    public Mono<String> offload() {
        return Mono.fromCallable(service::body).subscribeOn(Schedulers.boundedElastic());
    }
}
