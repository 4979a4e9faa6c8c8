package it.undertow;

import io.undertow.Undertow;
import io.undertow.server.handlers.BlockingHandler;

import java.net.InetSocketAddress;

/**
 * Undertow 2.3 (core handlers, no servlet): a {@link BlockingHandler} dispatches each request from the
 * XNIO I/O thread to a worker thread, where {@link TagHandler} does the work. Prints "PORT n".
 */
public final class UndertowApp {
    private UndertowApp() {}

    public static void main(String[] args) {
        Undertow server = Undertow.builder().addHttpListener(0, "127.0.0.1").setIoThreads(2).setWorkerThreads(16)
                .setHandler(new BlockingHandler(new TagHandler())).build();
        server.start();
        System.out.println("PORT " + ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort());
    }
}
