package it.jetty;

import jakarta.servlet.http.HttpServlet;

/** An intermediate class, as frameworks have: the boundary must be found at any depth. */
public abstract class BaseServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
}
