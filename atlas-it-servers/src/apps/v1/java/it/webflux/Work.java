package it.webflux;

final class Work {
    private Work() {}

    static String tag() {
        return Version.tag();
    }
}
