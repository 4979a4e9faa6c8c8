package dev.atlas.demo.service;

/**
 * One product of the {@link Catalog}.
 *
 * @param sku            e.g. {@code P007}
 * @param category       e.g. {@code tools}
 * @param listPriceCents list price of one unit
 * @param priceHistory   relative market prices of the last days (around 1.0), oldest first;
 *                       never modified after construction
 */
public record Product(String sku, String category, long listPriceCents, double[] priceHistory) {
}
