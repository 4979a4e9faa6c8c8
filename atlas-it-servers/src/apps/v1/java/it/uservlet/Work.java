package it.uservlet;

final class Work {
    private Work() {}

    static String tag() {
        return Version.tag();
    }
}
