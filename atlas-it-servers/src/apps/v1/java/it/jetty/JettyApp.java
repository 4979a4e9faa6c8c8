package it.jetty;

import java.util.EnumSet;

import jakarta.servlet.DispatcherType;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/** Jetty 12 (EE10) with a filter and a servlet two levels below HttpServlet. Prints "PORT n". */
public final class JettyApp {
    private JettyApp() {}

    public static void main(String[] args) throws Exception {
        Server server = new Server(new QueuedThreadPool(24));
        ServerConnector connector = new ServerConnector(server);
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.addFilter(new FilterHolder(new TagFilter()), "/*", EnumSet.of(DispatcherType.REQUEST));
        context.addServlet(new ServletHolder(new TagServlet()), "/tag");
        server.setHandler(context);
        server.start();
        System.out.println("PORT " + connector.getLocalPort());
        server.join();
    }
}
