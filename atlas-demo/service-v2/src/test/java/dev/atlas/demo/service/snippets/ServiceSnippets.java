package dev.atlas.demo.service.snippets;

import dev.atlas.demo.service.Catalog;
import dev.atlas.demo.service.Product;

/**
 * The code of the {@code {@snippet}} examples in this build's javadoc, by region: compiled
 * with the tests, so an example that no longer compiles fails the build.
 */
final class ServiceSnippets {
    private ServiceSnippets() {
    }

    static Product catalog() {
        // @start region=catalog
        Catalog catalog = new Catalog(200, 2048, 42);
        Product p = catalog.lookup("P007");
        // @end
        return p;
    }
}
