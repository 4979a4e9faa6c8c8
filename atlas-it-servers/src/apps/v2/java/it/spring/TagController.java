package it.spring;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
public class TagController {
    private final PriceService prices;

    public TagController(PriceService prices) {
        this.prices = prices;
    }

    @GetMapping("/tag")
    public String tag() throws InterruptedException {
        String first = Version.tag();
        String middle = prices.describe();
        prices.price("apple");   // cached after the first request
        Thread.sleep(10);   // the request's work
        return first + "-" + middle + "-" + Version.tag() + " served=" + prices.served();
    }
}
