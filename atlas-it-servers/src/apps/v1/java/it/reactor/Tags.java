package it.reactor;

import reactor.core.publisher.Mono;

/** The response body, computed when the route's handler subscribes (on the event loop, in the request's channelRead). */
final class Tags {
    private Tags() {}

    static Mono<String> body() {
        return Mono.fromCallable(() -> {
            String first = Version.tag();
            Thread.sleep(10);   // the request's work
            return first + "-" + Work.tag() + "-" + Version.tag();
        });
    }
}
