package it.webflux;

/** The build's tag, written at the start and the end of every request. */
public final class Version {
    private Version() {}

    public static String tag() {
        return "v2";
    }
}
