package dev.atlas.demo.load;

/**
 * What the generator keeps of a response.
 *
 * @param status     HTTP status
 * @param versionTag the version header, or {@code null} if absent
 */
public record Response(int status, String versionTag) {
    /** A 2xx status. */
    public boolean ok() {
        return status >= 200 && status < 300;
    }
}
