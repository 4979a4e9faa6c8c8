package it.grpc;

final class Work {
    private Work() {}

    static String tag() {
        return Version.tag();
    }
}
