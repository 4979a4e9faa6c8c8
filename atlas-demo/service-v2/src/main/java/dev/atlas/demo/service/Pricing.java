package dev.atlas.demo.service;

/**
 * Prices a quantity of a product: its list price times a market factor computed over the
 * product's price history (the CPU work of a request), minus the bulk discount.
 * Stateless, so shared by all workers.
 *
 * <p>Build v2: the bulk discount of {@value #BULK_DISCOUNT_PERCENT}% applies from
 * {@value #BULK_QUANTITY} units, as meant (v1 started it at 11).
 */
public final class Pricing {
    /** Units from which the bulk discount applies. */
    public static final int BULK_QUANTITY = 10;
    /** The bulk discount, in percent. */
    public static final int BULK_DISCOUNT_PERCENT = 10;

    private final int passes;

    /** @param passes smoothing passes over the price history per quote (the work of one quote grows with it) */
    public Pricing(int passes) {
        if (passes < 1 || passes > 10_000) {
            throw new IllegalArgumentException("pricing passes is " + passes + ", expected 1 to 10000");
        }
        this.passes = passes;
    }

    /** The total price in cents of {@code qty} units, writing this method's part of the version tag last. */
    public long quote(Product product, int qty, VersionTrace trace) {
        long unit = Math.round(product.listPriceCents() * marketFactor(product.priceHistory()));
        long total = unit * qty;
        if (qty >= BULK_QUANTITY) {
            total = total * (100 - BULK_DISCOUNT_PERCENT) / 100;
        }
        trace.part("v2");
        return total;
    }

    /** Exponentially smoothed price, averaged over several smoothing factors. */
    private double marketFactor(double[] history) {
        double sum = 0;
        for (int p = 0; p < passes; p++) {
            double alpha = 0.01 + 0.5 * p / passes;
            double smoothed = history[0];
            for (double price : history) {
                smoothed += alpha * (price - smoothed);
            }
            sum += smoothed;
        }
        return sum / passes;
    }
}
