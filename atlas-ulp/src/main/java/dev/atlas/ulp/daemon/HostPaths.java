package dev.atlas.ulp.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Map;
import java.util.Set;

/**
 * Where a user's host listens: {@code $ATLAS_HOST_DIR}, else {@code $XDG_RUNTIME_DIR/atlas-host},
 * else {@code /tmp/atlas-host-<uid>}; a directory of mode 0700 owned by the user, holding
 * {@code host.sock} and {@code host.log}, and the host's AOT cache {@code host.aot} if the user
 * made one (docs/ulp.md). The native client computes the same paths.
 *
 * <p>Thread safety: immutable.
 */
public record HostPaths(Path dir) {
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    /** The directory for this user from the environment {@code env}. */
    public static HostPaths forUser(Map<String, String> env) {
        String explicit = env.get("ATLAS_HOST_DIR");
        if (explicit != null && !explicit.isEmpty()) {
            return new HostPaths(Path.of(explicit));
        }
        String xdg = env.get("XDG_RUNTIME_DIR");
        if (xdg != null && !xdg.isEmpty()) {
            return new HostPaths(Path.of(xdg, "atlas-host"));
        }
        return new HostPaths(Path.of("/tmp", "atlas-host-" + uid()));
    }

    private static long uid() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return ProcessHandle.current().info().user().map(String::hashCode).orElse(0);
        }
    }

    public Path socket() {
        return dir.resolve("host.sock");
    }

    public Path log() {
        return dir.resolve("host.log");
    }

    /** The JDK AOT cache a new host starts with ({@code -XX:AOTCache}) when the file exists. */
    public Path aotCache() {
        return dir.resolve("host.aot");
    }

    /**
     * Creates the directory with mode 0700, or checks an existing one: it must be a directory
     * (not a link), owned by the calling user, with no access for group or others.
     *
     * @return the directory's owner (the user the host accepts)
     * @throws IOException if it cannot be created, or exists with another owner or mode (named)
     */
    public UserPrincipal prepare() throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(dir.getParent());
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                // another client created it meanwhile: checked below
            }
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("host directory " + dir + " is not a directory; remove it or set ATLAS_HOST_DIR");
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
        if (!perms.equals(OWNER_ONLY)) {
            throw new IOException("host directory " + dir + " has mode " + PosixFilePermissions.toString(perms)
                    + ", expected rwx------ (only its owner may reach the host)");
        }
        UserPrincipal owner = Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS);
        Path probe = Files.createTempFile(dir, "owner", ".probe");
        try {
            UserPrincipal me = Files.getOwner(probe);
            if (!me.equals(owner)) {
                throw new IOException("host directory " + dir + " belongs to " + owner.getName() + ", not to " + me.getName());
            }
        } finally {
            Files.deleteIfExists(probe);
        }
        return owner;
    }
}
