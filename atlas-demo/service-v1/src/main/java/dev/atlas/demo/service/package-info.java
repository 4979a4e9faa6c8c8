/**
 * The demo HTTP service: the kind of small service Java teams run, and the application
 * that {@code atlas demo} patches while it is under load.
 *
 * <p>A {@link com.sun.net.httpserver.HttpServer} dispatches to a fixed
 * {@link java.util.concurrent.ThreadPoolExecutor} of workers ({@link dev.atlas.demo.service.DemoService}).
 * Endpoints:
 * <ul>
 *   <li>{@code GET /quote?sku=P007&qty=10}: the price of {@code qty} units, computed over the
 *       product's price history ({@link dev.atlas.demo.service.QuoteHandler},
 *       {@link dev.atlas.demo.service.Pricing}).</li>
 *   <li>{@code POST /orders} with body {@code sku=P007&qty=3}: prices and records an order
 *       ({@link dev.atlas.demo.service.OrdersHandler}, {@link dev.atlas.demo.service.OrderBook}).</li>
 *   <li>{@code GET /health}: {@code 200} and the order book's summary.</li>
 * </ul>
 *
 * <p>Every {@code /quote} and {@code /orders} response carries the header
 * {@value dev.atlas.demo.service.Http#VERSION_HEADER}: three parts joined by dots, written in
 * this order by the handler (first thing), {@link dev.atlas.demo.service.Pricing#quote} (after
 * the pricing work) and {@link dev.atlas.demo.service.Catalog#shippingDays} (called last):
 * {@code v1.v1.v1} in build v1, {@code v2.v2.v2} in build v2. A request that ran part of its
 * path in old code and part in new code shows a mixed tag such as {@code v1.v1.v2}: for
 * instance with HotSpot's {@code redefineClasses}, a request whose handler was waiting for the
 * {@link dev.atlas.demo.service.Inventory} (a simulated remote call, between the pricing part and
 * the last part) when the classes were redefined finishes the handler in v1 code, but its
 * call to {@code shippingDays} runs v2.
 *
 * <h2>The two builds</h2>
 * Build v1 (module {@code service-v1}) has a pricing bug: the bulk discount (10% from 10
 * units) starts at 11 units. Build v2 (module {@code service-v2}) fixes it, moves every tag
 * part to {@code v2}, and gives {@link dev.atlas.demo.service.OrderBook} new state (units
 * sold per SKU: a new instance field, a new method and a lambda). v2 holds only the files
 * that change; the build copies the others from v1.
 */
package dev.atlas.demo.service;
