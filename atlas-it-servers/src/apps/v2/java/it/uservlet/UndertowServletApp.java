package it.uservlet;

import java.net.InetSocketAddress;

import io.undertow.Undertow;
import io.undertow.servlet.Servlets;
import io.undertow.servlet.api.DeploymentInfo;
import io.undertow.servlet.api.DeploymentManager;
import jakarta.servlet.DispatcherType;

/**
 * Undertow 2.3's servlet container (undertow-servlet): a filter and a servlet deployed through
 * {@code Servlets.defaultContainer()}, the deployment's handler as the server's root. Prints "PORT n".
 */
public final class UndertowServletApp {
    private UndertowServletApp() {}

    public static void main(String[] args) throws Exception {
        System.out.println("PORT " + start());
    }

    /** Starts the server; returns its port. */
    public static int start() throws jakarta.servlet.ServletException {
        DeploymentInfo deployment = Servlets.deployment().setClassLoader(UndertowServletApp.class.getClassLoader())
                .setContextPath("/").setDeploymentName("it-uservlet")
                .addServlet(Servlets.servlet("tag", TagServlet.class).addMapping("/tag"))
                .addFilter(Servlets.filter("tag-filter", TagFilter.class))
                .addFilterUrlMapping("tag-filter", "/*", DispatcherType.REQUEST);
        DeploymentManager manager = Servlets.defaultContainer().addDeployment(deployment);
        manager.deploy();
        Undertow server = Undertow.builder().addHttpListener(0, "127.0.0.1").setIoThreads(2).setWorkerThreads(16)
                .setHandler(manager.start()).build();
        server.start();
        return ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
    }
}
