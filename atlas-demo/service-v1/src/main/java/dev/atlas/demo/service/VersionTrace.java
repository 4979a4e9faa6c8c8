package dev.atlas.demo.service;

/**
 * The version tag of one request, written part by part by the methods the request passes
 * through. One instance per request; not thread-safe (a request runs on one worker).
 *
 * {@snippet class=dev.atlas.demo.service.snippets.ServiceSnippets region=trace}
 */
public final class VersionTrace {
    private final StringBuilder parts = new StringBuilder(12);

    /** Appends one method's part of the tag. */
    public void part(String part) {
        if (!parts.isEmpty()) {
            parts.append('.');
        }
        parts.append(part);
    }

    /** The parts written so far, joined by dots; empty if none. */
    public String tag() {
        return parts.toString();
    }
}
