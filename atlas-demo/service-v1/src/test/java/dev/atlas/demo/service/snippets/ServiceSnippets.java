package dev.atlas.demo.service.snippets;

import dev.atlas.demo.service.Catalog;
import dev.atlas.demo.service.DemoService;
import dev.atlas.demo.service.Product;
import dev.atlas.demo.service.VersionTrace;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * The code of the {@code {@snippet}} examples in the service's javadoc, by region: compiled
 * with the tests, so an example that no longer compiles fails the build (the javadoc run after
 * test-compile resolves the regions through {@code --snippet-path}).
 */
final class ServiceSnippets {
    private ServiceSnippets() {
    }

    static String service() throws IOException, InterruptedException {
        // @start region=service
        // as a program: java -jar atlas-demo-service-v1.jar --port 8080 --workers 4
        try (DemoService service = DemoService.start(new DemoService.Config(8080, 16, 200, 2048, 24, 3000));
             HttpClient client = HttpClient.newHttpClient()) {
            HttpResponse<String> quote = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:8080/quote?sku=P007&qty=10")).build(), HttpResponse.BodyHandlers.ofString());
            return quote.body();
        }
        // @end
    }

    static Product catalog() {
        // @start region=catalog
        Catalog catalog = new Catalog(200, 2048, 42);
        Product p = catalog.lookup("P007");
        // @end
        return p;
    }

    static String trace() {
        // @start region=trace
        VersionTrace trace = new VersionTrace();
        trace.part("v1");            // the handler
        trace.part("v1");            // Pricing.quote
        trace.part("v2");            // Catalog.shippingDays, already patched
        assert trace.tag().equals("v1.v1.v2");
        // @end
        return trace.tag();
    }
}
