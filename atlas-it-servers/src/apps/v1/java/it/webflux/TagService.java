package it.webflux;

import org.springframework.stereotype.Service;

@Service
public class TagService {
    public String body() throws InterruptedException {
        String first = Version.tag();
        Thread.sleep(10);   // the request's work
        return first + "-" + Work.tag() + "-" + Version.tag();
    }
}
