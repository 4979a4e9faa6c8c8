package dev.atlas.demo.run;

import java.util.List;

/**
 * How the service processes are run: the same for every mode and both builds.
 *
 * @param workers       worker threads of the service's pool
 * @param catalog       products in the catalog
 * @param historyLength price history per product
 * @param passes        smoothing passes per quote (work per request ~ historyLength x passes)
 * @param inventoryMicros wait of the simulated inventory call in every request
 * @param heapMegabytes maximum heap of the service JVM
 */
public record ServiceSettings(int workers, int catalog, int historyLength, int passes, int inventoryMicros,
                              int heapMegabytes) {
    /**
     * The defaults: 16 workers, 200 products, a request of roughly 0.2-0.3 ms of CPU plus a
     * 3 ms inventory call (so, at 800 req/s, two or three requests are half-way through at any
     * moment), 256 MiB heap.
     */
    public static final ServiceSettings DEFAULT = new ServiceSettings(16, 200, 2048, 24, 3000, 256);

    public ServiceSettings {
        if (workers < 1 || workers > 1024) {
            throw new IllegalArgumentException("workers is " + workers + ", expected 1 to 1024");
        }
        if (heapMegabytes < 32) {
            throw new IllegalArgumentException("heap is " + heapMegabytes + " MiB, expected at least 32");
        }
    }

    List<String> jvmOptions() {
        return List.of("-Xmx" + heapMegabytes + "m", "-Xms" + Math.min(heapMegabytes, 64) + "m");
    }

    List<String> serviceArguments() {
        return List.of("--workers", Integer.toString(workers), "--catalog", Integer.toString(catalog),
                "--history", Integer.toString(historyLength), "--passes", Integer.toString(passes),
                "--inventory-us", Integer.toString(inventoryMicros));
    }
}
