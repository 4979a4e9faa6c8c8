package dev.atlas.demo.service;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The in-memory product catalog, generated from a seed. Immutable, so shared by all workers.
 *
 * {@snippet class=dev.atlas.demo.service.snippets.ServiceSnippets region=catalog}
 */
public final class Catalog {
    private static final String[] CATEGORIES = {"tools", "garden", "kitchen", "books", "toys"};

    private final Map<String, Product> products;
    private final List<String> skus;

    /**
     * @param size          number of products, {@code P000} to {@code P<size-1>}
     * @param historyLength length of each product's price history (the work of one quote grows with it)
     * @param seed          seed of prices and histories
     */
    public Catalog(int size, int historyLength, long seed) {
        if (size < 1 || size > 100_000) {
            throw new IllegalArgumentException("catalog size is " + size + ", expected 1 to 100000");
        }
        if (historyLength < 1 || historyLength > 1_000_000) {
            throw new IllegalArgumentException("history length is " + historyLength + ", expected 1 to 1000000");
        }
        SplittableRandom random = new SplittableRandom(seed);
        List<Product> list = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            double[] history = new double[historyLength];
            double price = 1.0;
            for (int d = 0; d < historyLength; d++) {
                price = Math.clamp(price * (1.0 + (random.nextDouble() - 0.5) * 0.02), 0.5, 1.5);
                history[d] = price;
            }
            list.add(new Product("P%03d".formatted(i), CATEGORIES[i % CATEGORIES.length],
                    100 + random.nextLong(100_000), history));
        }
        this.products = list.stream().collect(Collectors.toUnmodifiableMap(Product::sku, Function.identity()));
        this.skus = list.stream().map(Product::sku).toList();
    }

    /** Finds a product; unknown SKU: {@code 404}. */
    public Product lookup(String sku) {
        Product product = products.get(sku);
        if (product == null) {
            throw new BadRequestException(404, "unknown sku '" + sku + "', expected P000 to P" + (skus.size() - 1));
        }
        return product;
    }

    /**
     * Days until {@code qty} units of {@code product} ship, writing this method's part of the
     * version tag (the last part: it runs after the pricing work).
     */
    public int shippingDays(Product product, int qty, VersionTrace trace) {
        trace.part("v2");
        return 1 + Math.floorMod(product.sku().hashCode(), 3) + (qty > 10 ? 2 : 0);
    }

    /** Every SKU, in order. */
    public List<String> skus() {
        return skus;
    }
}
