package dev.atlas.spaces;

import dev.atlas.libc.Libc;
import dev.atlas.libc.Errno;
import dev.atlas.memory.linux.Linux;
import dev.atlas.libc.LinuxException;
import dev.atlas.spaces.format.SpaceHeader;
import dev.atlas.spaces.format.SpaceMetadata;
import dev.atlas.spaces.heap.SegmentWords;
import dev.atlas.spaces.heap.SharedHeap;
import dev.atlas.spaces.sync.RobustLock;
import dev.atlas.spaces.sys.SpaceSyscalls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A directory of named spaces: create, attach, list, inspect and delete them by name. The
 * default directory is the tmpfs {@code /dev/shm/atlas-spaces-<uid>}; any directory works
 * (a DAX mount, say). Whatever the directory, what is covered is the crash of a
 * <em>process</em>: Atlas never calls {@code msync} nor flushes CPU caches, so after a power
 * loss or a host crash a space on persistent memory may hold any mix of old and new stores.
 *
 * {@snippet class=dev.atlas.spaces.snippets.SpacesSnippets region=space-directory}
 *
 * <p>Files: {@code NAME.space} (header: lock, attached processes, metadata versions) and
 * {@code NAME.<id>.<n>.seg} per segment, both with the space's mode. Creating claims the
 * name with {@code O_EXCL} on the header, writes both files' first bytes with {@code pwrite}
 * before mapping them (so that creating takes no page fault; the first access to the segment
 * takes it) and writes the header's magic last.
 *
 * <h2>What a crash leaves</h2>
 * <ol>
 *   <li>During create: a header without magic (and perhaps its segment file). The next
 *       {@code create}/{@code attach}/{@code list} of that name removes both once the
 *       creator (pid in the header) is dead; while it lives the name reads as busy.</li>
 *   <li>During a metadata update (roots): the previous version (see {@link SpaceHeader}).</li>
 *   <li>During delete: segment files without a header: removed by the next {@link #list()}.</li>
 *   <li>While attached: a stale entry in the attached table, skipped and reused once its
 *       pid is dead; mid-allocation: a leaked block ({@link SharedHeap}).</li>
 * </ol>
 *
 * <p>Permissions are those of the files, checked by Atlas itself against the effective uid
 * (for root too): read to attach read-only, read and write to attach read-write.
 *
 * <p>Threading contract: any thread; the directory object is immutable.
 */
public final class SpaceDirectory {
    /** {@code NAME.<id>.<n>.seg}: the name may hold dots itself, so it is all before the last two parts. */
    private static final Pattern SEGMENT_FILE = Pattern.compile("(.+)\\.[0-9a-f]+\\.[0-9]+\\.seg");
    /** Fixed addresses are chosen in [32 TiB, 96 TiB): below the kernel's top-down mmap area, above heaps. */
    static final long ADDRESS_LOW = 0x2000_0000_0000L;
    static final long ADDRESS_HIGH = 0x6000_0000_0000L;
    private static final long ADDRESS_ALIGN = 1L << 30;
    private static final long SEGMENT_HEADER = 4096;

    private final Path dir;

    private SpaceDirectory(Path dir) {
        this.dir = dir;
    }

    /** {@code /dev/shm/atlas-spaces-<uid>}, created (mode 0700) if missing. */
    public static SpaceDirectory defaultDirectory() {
        return at(Path.of("/dev/shm", "atlas-spaces-" + SpaceSyscalls.geteuid()));
    }

    /** Spaces in {@code dir}, created if missing. */
    public static SpaceDirectory at(Path dir) {
        Libc.requireSupported();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create space directory " + dir, e);
        }
        return new SpaceDirectory(dir.toAbsolutePath());
    }

    public Path path() {
        return dir;
    }

    /**
     * Creates space {@code name} with a main segment of {@code capacity} bytes (sparse: no
     * memory is used until written) and attaches it read-write.
     *
     * @param mode permission bits, e.g. {@code 0600}
     * @throws SpaceException EXISTS, BAD_NAME; nothing is left behind on any failure
     */
    public SharedSpace create(String name, long capacity, int mode) {
        checkName(name);
        if (capacity < 64 * 1024 || capacity > (1L << 44)) {
            throw new IllegalArgumentException("capacity " + capacity + " of space '" + name
                    + "' must be between 64 KiB and 16 TiB");
        }
        if ((mode & ~0777) != 0 || (mode & 0600) != 0600) {
            throw new IllegalArgumentException("mode 0" + Integer.toOctalString(mode) + " of space '" + name
                    + "' must be permission bits (0..0777) including owner read and write (0600)");
        }
        Path headerPath = headerPath(name);
        int hfd = claim(name, headerPath, mode);
        Arena arena = Arena.ofShared();
        long spaceId = ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE;
        Path segPath = segmentPath(name, spaceId, 0);
        boolean done = false;
        try (Arena images = Arena.ofConfined()) {
            // both files' first bytes are written with pwrite before they are mapped: no page fault in create
            long pid = ProcessHandle.current().pid();
            long base = chooseAddress(capacity);
            MemorySegment headerImage = headerImage(name, spaceId, mode, base, capacity, pid, images);
            SpaceSyscalls.pwriteFully(hfd, headerImage, 0);   // creator pid first: a crash from here on is recovered
            int sfd = SpaceSyscalls.createExclusive(segPath.toString(), mode);
            MemorySegment seg = null;
            try {
                Linux.ftruncate(sfd, capacity);
                MemorySegment heapImage = images.allocate(SharedHeap.headerBytes(), 8);
                SharedHeap.formatImage(new SegmentWords(heapImage), capacity, SEGMENT_HEADER);
                SpaceSyscalls.pwriteFully(sfd, heapImage, 0);
                for (int attempt = 0; seg == null && attempt < 16; attempt++) {
                    if (attempt > 0) {   // the address is taken in this process: another, recorded again
                        base = chooseAddress(capacity);
                        SpaceSyscalls.pwriteFully(hfd, headerImage(name, spaceId, mode, base, capacity, pid, images), 0);
                    }
                    seg = SpaceMappings.mapAt(sfd, capacity, false, base, arena);
                }
                if (seg == null) {
                    throw new SpaceException(SpaceException.Reason.ADDRESS_TAKEN, "no free fixed address found for "
                            + capacity + " bytes in [0x" + Long.toHexString(ADDRESS_LOW) + ", 0x"
                            + Long.toHexString(ADDRESS_HIGH) + ") after 16 tries");
                }
            } finally {
                Linux.closeQuietly(sfd);
            }
            SpaceHeader header = new SpaceHeader(SpaceMappings.map(hfd, SpaceHeader.FILE_SIZE, false, 0, arena));
            MemorySegment magic = images.allocate(JAVA_LONG);
            magic.set(JAVA_LONG, 0, SpaceHeader.MAGIC);
            SpaceSyscalls.pwriteFully(hfd, magic, SpaceHeader.magicOffset());   // last: the space exists
            SharedSpace s = new SharedSpace(name, spaceId, arena, header, seg, base, false, 0,
                    SharedHeap.formatted(new SegmentWords(seg), SEGMENT_HEADER));
            done = true;
            return s;
        } finally {
            Linux.closeQuietly(hfd);
            if (!done) {
                arena.close();
                deleteQuietly(segPath);
                deleteQuietly(headerPath);
            }
        }
    }

    /** Creates the header file exclusively, removing first what a creation that died left under the name. */
    private int claim(String name, Path headerPath, int mode) {
        for (boolean recovered = false; ; recovered = true) {
            try {
                return SpaceSyscalls.createExclusive(headerPath.toString(), mode);
            } catch (LinuxException e) {
                if (e.errno() != Errno.EEXIST) throw e;
                if (recovered || !recoverInterrupted(name)) {
                    throw new SpaceException(SpaceException.Reason.EXISTS, "space '" + name + "' already exists in " + dir
                            + "; attach it, or delete it first");
                }
            }
        }
    }

    /**
     * A new space's header file as it is before its magic: creator pid, version, the first
     * metadata version, and this process registered in slot 0 of the attached table.
     */
    private static MemorySegment headerImage(String name, long spaceId, int mode, long base, long capacity, long pid,
                                             Arena images) {
        MemorySegment memory = images.allocate(SpaceHeader.FILE_SIZE, 8);
        SpaceHeader image = new SpaceHeader(memory);
        image.setCreatorPid(pid);
        image.update(new SpaceMetadata(name, spaceId, SpaceSyscalls.geteuid(), mode,
                List.of(new SpaceMetadata.Segment("main", base, capacity)), Map.of()));
        image.attachedTable().setAtIndex(JAVA_LONG, 0, pid);
        image.writeVersion();
        return memory;
    }

    /**
     * Attaches space {@code name}: maps its segments at their fixed addresses.
     *
     * @throws SpaceException NOT_FOUND, ACCESS_DENIED, VERSION, DAMAGED, ADDRESS_TAKEN
     */
    public SharedSpace attach(String name, AttachOptions options) {
        checkName(name);
        checkAccess(name, headerPath(name), options.readOnly());   // NOT_FOUND without a header file
        Arena arena = Arena.ofShared();
        boolean done = false;
        try {
            OpenHeader opened;
            try {
                opened = openHeader(name, options.readOnly(), arena);
            } catch (SpaceException e) {   // what a creation that died left: removed once its creator is dead
                if (e.reason() == SpaceException.Reason.DAMAGED && recoverInterrupted(name)) throw notFound(name);
                throw e;
            }
            SpaceHeader header = opened.header();
            SpaceMetadata m = opened.metadata();
            SpaceMetadata.Segment main = m.segments().getFirst();
            Path segPath = checkedSegmentFile(name, m);
            MemorySegment seg = options.anywhere() ? SpaceMappings.mapFile(segPath, main.size(), options.readOnly(), arena)
                    : SpaceMappings.mapFixed(name, segPath, main, options, arena);
            if (options.readOnly()) seg = seg.asReadOnly();
            int slot = options.readOnly() ? -1 : register(header);
            SharedSpace s;
            try {
                s = new SharedSpace(name, m.spaceId(), arena, header, seg, main.base(), options.readOnly(), slot, null);
            } catch (IllegalStateException e) {   // the segment's heap header
                throw new SpaceException(SpaceException.Reason.DAMAGED, "space '" + name + "': segment '" + main.name()
                        + "': " + e.getMessage(), e);
            }
            done = true;
            return s;
        } finally {
            if (!done) arena.close();
        }
    }

    /**
     * Deletes space {@code name}. Processes still attached keep their mappings until they
     * detach (Linux unlink semantics); with {@code force} false, live attachers refuse it.
     *
     * @throws SpaceException NOT_FOUND; BUSY naming the attached pids
     */
    public void delete(String name, boolean force) {
        SpaceInfo info;
        try {
            info = inspect(name);
        } catch (SpaceException e) {
            if (!force || e.reason() == SpaceException.Reason.NOT_FOUND || e.reason() == SpaceException.Reason.BAD_NAME) {
                throw e;
            }
            removeFiles(name);   // unreadable (damaged, other version): force removes its files
            return;
        }
        List<Long> others = info.attached().stream().filter(p -> p != ProcessHandle.current().pid()).toList();
        if (!force && !others.isEmpty()) {
            throw new SpaceException(SpaceException.Reason.BUSY, "space '" + name + "' is attached by pid(s) " + others
                    + "; detach them first or delete with force");
        }
        checkAccess(name, headerPath(name), false);
        deleteQuietly(headerPath(name));   // the name is gone at once; segments follow
        for (int i = 0; i < info.metadata().segments().size(); i++) {
            deleteQuietly(segmentPath(name, info.metadata().spaceId(), i));
        }
    }

    /** Every readable space here, by name (unreadable ones are logged); also removes leftovers of interrupted operations. */
    public List<SpaceInfo> list() {
        List<SpaceInfo> out = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        for (Path p : files) {
            String f = p.getFileName().toString();
            if (f.endsWith(".space")) {
                String name = f.substring(0, f.length() - ".space".length());
                try {
                    out.add(inspect(name));
                } catch (SpaceException e) {
                    if (e.reason() != SpaceException.Reason.NOT_FOUND) {
                        System.getLogger("dev.atlas.spaces").log(System.Logger.Level.WARNING, e.getMessage());
                    }
                }
            } else {
                String name = spaceOfSegment(f);
                if (name != null && !Files.exists(headerPath(name))) deleteQuietly(p);   // left by an interrupted delete
            }
        }
        return out;
    }

    /** What {@code atlas spaces inspect} shows, read without attaching (read-only). */
    public SpaceInfo inspect(String name) {
        checkName(name);
        if (!Files.exists(headerPath(name)) || recoverInterrupted(name)) throw notFound(name);
        try (Arena arena = Arena.ofConfined()) {
            OpenHeader opened = openHeader(name, true, arena);
            SpaceHeader header = opened.header();
            SpaceMetadata m = opened.metadata();
            List<Long> attached = new ArrayList<>();
            List<Long> dead = new ArrayList<>();
            MemorySegment table = header.attachedTable();
            for (int i = 0; i < SpaceHeader.MAX_ATTACHED; i++) {
                long pid = table.getAtIndex(JAVA_LONG, i);
                if (pid != 0) (SpaceSyscalls.isAlive(pid) ? attached : dead).add(pid);
            }
            int holder = RobustLock.holderPid(header.lockMemory());
            long used;
            try {
                MemorySegment whole = SpaceMappings.mapFile(checkedSegmentFile(name, m), m.segments().getFirst().size(), true, arena);
                used = SharedHeap.open(new SegmentWords(whole)).used();
            } catch (IllegalStateException e) {
                used = -1;
            }
            return new SpaceInfo(m, attached, used, holder, holder != 0 && SpaceSyscalls.isAlive(holder), dead);
        }
    }

    // ---------------------------------------------------------------- helpers

    /** A mapped header and the metadata read (and checked) from it when it was opened. */
    private record OpenHeader(SpaceHeader header, SpaceMetadata metadata) {}

    private OpenHeader openHeader(String name, boolean readOnly, Arena arena) {
        try (FileChannel ch = FileChannel.open(headerPath(name), readOnly ? Set.of(StandardOpenOption.READ)
                : Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE))) {
            long size = ch.size();
            if (size != SpaceHeader.FILE_SIZE) {
                throw new SpaceException(SpaceException.Reason.DAMAGED, "space '" + name + "': header file is " + size
                        + " bytes, expected " + SpaceHeader.FILE_SIZE + " (not a space, or damaged)");
            }
            SpaceHeader h = new SpaceHeader(ch.map(readOnly ? FileChannel.MapMode.READ_ONLY : FileChannel.MapMode.READ_WRITE,
                    0, SpaceHeader.FILE_SIZE, arena));
            if (h.magic() != SpaceHeader.MAGIC) {
                throw new SpaceException(SpaceException.Reason.DAMAGED, "space '" + name + "': header magic 0x"
                        + Long.toHexString(h.magic()) + ", expected 0x" + Long.toHexString(SpaceHeader.MAGIC)
                        + (h.magic() == 0 ? " (creation by pid " + h.creatorPid() + " still in progress)" : ""));
            }
            if (h.version() != SpaceHeader.VERSION) {
                throw new SpaceException(SpaceException.Reason.VERSION, "space '" + name + "' has format version "
                        + h.version() + "; this Atlas reads version " + SpaceHeader.VERSION);
            }
            try {
                return new OpenHeader(h, h.read());   // read once: checksums and decoding are not repeated by the caller
            } catch (IllegalStateException e) {
                throw new SpaceException(SpaceException.Reason.DAMAGED, "space '" + name + "': " + e.getMessage(), e);
            }
        } catch (NoSuchFileException e) {
            throw notFound(name);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot map the header of space '" + name + "'", e);
        }
    }

    /**
     * The file of the main segment of {@code m}, checked to exist and to have the size the
     * header gives (a shorter file would fault on access past its end).
     */
    private Path checkedSegmentFile(String name, SpaceMetadata m) {
        SpaceMetadata.Segment main = m.segments().getFirst();
        Path p = segmentPath(name, m.spaceId(), 0);
        long size;
        try {
            size = Files.size(p);
        } catch (IOException e) {
            throw new SpaceException(SpaceException.Reason.DAMAGED, "space '" + name + "': the file of segment '"
                    + main.name() + "', " + p + ", is missing or unreadable (" + e + ")", e);
        }
        if (size != main.size()) {
            throw new SpaceException(SpaceException.Reason.DAMAGED, "space '" + name + "': the file of segment '"
                    + main.name() + "', " + p + ", is " + size + " bytes; the header says " + main.size());
        }
        return p;
    }

    /** Removes a creation that never finished and whose creator is dead; true if it did. */
    private boolean recoverInterrupted(String name) {
        Path hp = headerPath(name);
        try {
            if (!Files.exists(hp) || Files.size(hp) < SpaceHeader.FILE_SIZE) {
                if (Files.exists(hp) && Files.getLastModifiedTime(hp).toMillis() < System.currentTimeMillis() - 10_000) {
                    deleteQuietly(hp);   // died before even sizing the header
                    return true;
                }
                return false;
            }
            try (Arena a = Arena.ofConfined()) {
                SpaceHeader h = new SpaceHeader(SpaceMappings.mapFile(hp, SpaceHeader.FILE_SIZE, true, a));
                if (h.magic() != 0 || SpaceSyscalls.isAlive(h.creatorPid()) && h.creatorPid() != 0) return false;
            }
            removeFiles(name);
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void removeFiles(String name) {
        deleteQuietly(headerPath(name));
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> name.equals(spaceOfSegment(p.getFileName().toString())))
                    .forEach(SpaceDirectory::deleteQuietly);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The name of the space a segment file belongs to, or null if {@code fileName} is no segment file. */
    private static String spaceOfSegment(String fileName) {
        java.util.regex.Matcher m = SEGMENT_FILE.matcher(fileName);
        return m.matches() ? m.group(1) : null;
    }

    private void checkAccess(String name, Path headerPath, boolean readOnly) {
        int uid, gid, mode;
        try {
            Map<String, Object> a = Files.readAttributes(headerPath, "unix:uid,gid,mode");   // one stat
            uid = (int) a.get("uid");
            gid = (int) a.get("gid");
            mode = (int) a.get("mode") & 0777;
        } catch (IOException e) {
            throw notFound(name);
        }
        int bits = uid == SpaceSyscalls.geteuid() ? mode >> 6 : gid == SpaceSyscalls.getegid() ? mode >> 3 : mode;
        int need = readOnly ? 4 : 6;
        if ((bits & need) != need) {
            throw new SpaceException(SpaceException.Reason.ACCESS_DENIED, "space '" + name + "' belongs to uid " + uid
                    + " with mode 0" + Integer.toOctalString(mode) + "; uid " + SpaceSyscalls.geteuid() + " needs "
                    + (readOnly ? "read" : "read and write") + " permission to attach it "
                    + (readOnly ? "read-only" : "read-write"));
        }
    }

    private static int register(SpaceHeader header) {
        VarHandle h = JAVA_LONG.varHandle();
        MemorySegment table = header.attachedTable();
        long pid = ProcessHandle.current().pid();
        for (int i = 0; i < SpaceHeader.MAX_ATTACHED; i++) {
            long cur = (long) h.getVolatile(table, i * 8L);
            if ((cur == 0 || !SpaceSyscalls.isAlive(cur)) && h.compareAndSet(table, i * 8L, cur, pid)) {
                return i;
            }
        }
        return -1;   // table full: attached, but not listed
    }

    private long chooseAddress(long size) {
        long span = (ADDRESS_HIGH - ADDRESS_LOW - size) / ADDRESS_ALIGN;
        return ADDRESS_LOW + ThreadLocalRandom.current().nextLong(span) * ADDRESS_ALIGN;
    }

    private static void checkName(String name) {
        if (!validName(name)) {
            throw new SpaceException(SpaceException.Reason.BAD_NAME, "space name '" + name + "' is not valid: expected 1-64"
                    + " characters of letters, digits, '_', '.', '-', not starting with '.' or '-'");
        }
    }

    /** [A-Za-z0-9_][A-Za-z0-9_.-]{0,63}, checked without a regular expression (cheap in a fresh JVM). */
    private static boolean validName(String name) {
        if (name == null || name.isEmpty() || name.length() > 64) return false;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
                    || i > 0 && (c == '.' || c == '-');
            if (!ok) return false;
        }
        return true;
    }

    private SpaceException notFound(String name) {
        return new SpaceException(SpaceException.Reason.NOT_FOUND, "no space '" + name + "' in " + dir);
    }

    Path headerPath(String name) {
        return dir.resolve(name + ".space");
    }

    private Path segmentPath(String name, long spaceId, int index) {
        return dir.resolve(name + "." + Long.toHexString(spaceId) + "." + index + ".seg");
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            System.getLogger("dev.atlas.spaces").log(System.Logger.Level.WARNING, "cannot delete " + p, e);
        }
    }
}
