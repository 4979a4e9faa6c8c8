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
import java.util.function.Consumer;
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
 * <p>One file per space, {@code NAME.space}, with the space's mode: the header (lock,
 * attached processes, metadata versions; {@link SpaceHeader}) and then the main segment.
 * Creating is five system calls: {@code open(O_CREAT | O_EXCL)} claims the name; one
 * {@code pwrite} writes the header (creator pid, version, metadata, this process in the
 * attached table; no magic) and the segment's heap header; {@code ftruncate} sizes the file
 * (sparse); one {@code mmap(MAP_FIXED_NOREPLACE)} maps header and segment; a {@code pwrite}
 * of the magic makes the space exist. The creator's attachment keeps the file open: its
 * detach leaves the attached table with a one-byte {@code pwrite}, then closes it. Creating
 * touches no page of the mapping (the first access to the segment takes the first page
 * fault), nor does detaching a space that was never used.
 *
 * <h2>What a crash leaves</h2>
 * <ol>
 *   <li>During create, before the magic: a file whose header has no magic (or, killed inside
 *       the first {@code pwrite}, a file shorter than the header). The next
 *       {@code create}/{@code attach}/{@code inspect}/{@code list} of that name removes it once
 *       the creator (pid in the header) is dead, or, for a file shorter than the header, once
 *       it is 10 s old; until then the name reads as busy. After the magic: a complete space
 *       whose attached table names the dead creator (see 3).</li>
 *   <li>During a metadata update (roots): the previous version (see {@link SpaceHeader}).</li>
 *   <li>While attached: a stale entry in the attached table, skipped and reused once its
 *       pid is dead; mid-allocation: a leaked block ({@link SharedHeap}).</li>
 * </ol>
 * Delete is one {@code unlink}: a crash leaves the space or nothing.
 *
 * <h2>The directory's lock</h2>
 * An {@code flock} of the directory orders whatever removes a space file against whatever
 * relies on the name: {@link #delete}, the removal of a dead creation's leftover, and a
 * create that failed removing its own file hold it exclusively from their look at the file to
 * the {@code unlink}; a read-write {@link #attach} holds it shared from opening the file until
 * the process is registered in the attached table. So a delete without force never removes a
 * space another process holds, nor one created under the name after it looked, nor a creation
 * in progress. Creating needs no lock ({@code O_EXCL} claims the name), nor does a read-only
 * attach (it is not registered; a space deleted meanwhile stays mapped, as with
 * {@code unlink}). The kernel releases the lock of a process that dies.
 *
 * <p>Permissions are those of the file, checked by Atlas itself against the effective uid
 * (for root too): read to attach read-only, read and write to attach read-write.
 *
 * <p>Threading contract: any thread; the directory object is immutable.
 */
public final class SpaceDirectory {
    /**
     * Fixed addresses are chosen at random, 1 GiB-aligned, in [32 TiB, 96 TiB): a range the
     * kernel's top-down mmap area (which starts near 128 TiB) reaches only once a process has
     * mapped about 32 TiB. Nothing keeps other mappings out of it (the executable and its
     * heap may be there under address-space randomisation); {@code MAP_FIXED_NOREPLACE}
     * makes a taken range a refusal, never a replacement, and create then tries another
     * address.
     */
    static final long ADDRESS_LOW = 0x2000_0000_0000L;
    static final long ADDRESS_HIGH = 0x6000_0000_0000L;
    /**
     * A space file is mapped at a multiple of 1 GiB, so that file offsets and addresses agree
     * modulo 2 MiB (on a tmpfs with huge pages, the file's 2 MiB pages map as such).
     */
    private static final long ADDRESS_ALIGN = 1L << 30;
    /** What create writes with its first pwrite: the header, then the segment's heap header. */
    private static final long IMAGE_BYTES = SpaceHeader.SEGMENT_OFFSET + SharedHeap.headerBytes();
    /** Where the heap's blocks start in the segment: after its header, at the segment's second page. */
    private static final long SEGMENT_HEADER = 4096;
    /** A header mapped below this address is refused as damaged (the kernel's mmap_min_addr and then some). */
    private static final long LOWEST_MAPPING = 1L << 20;

    /** The steps of {@link #create}, each reported when done (tests stop a creator between them). */
    enum CreateStep { CLAIMED, WRITTEN, SIZED, MAPPED, SEALED }

    private final Path dir;
    /** The directory's path and a slash, as create passes file names to the kernel. */
    private final String dirPrefix;
    private final Consumer<CreateStep> afterStep;

    private SpaceDirectory(Path dir, Consumer<CreateStep> afterStep) {
        this.dir = dir;
        this.dirPrefix = dir.toString().endsWith("/") ? dir.toString() : dir + "/";
        this.afterStep = afterStep;
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
        return new SpaceDirectory(dir.toAbsolutePath(), step -> { });
    }

    /** This directory, calling {@code afterStep} after each step of {@link #create} (on the creating thread). */
    SpaceDirectory reportingCreateSteps(Consumer<CreateStep> afterStep) {
        return new SpaceDirectory(dir, afterStep);
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
        String file = dirPrefix + name + ".space";   // spaceFile(name), without making a Path
        int fd = claim(name, file, mode);
        Arena arena = Arena.ofShared();
        ImageBuffer buffer = ImageBuffer.acquire(IMAGE_BYTES);
        boolean done = false;
        try {
            afterStep.accept(CreateStep.CLAIMED);
            long spaceId = ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE;
            long pid = ProcessHandle.current().pid();
            long fileSize = SpaceHeader.fileSize(capacity);
            // the header and the heap's header are written with pwrite before the file is mapped: no page fault
            MemorySegment image = buffer.image(IMAGE_BYTES);
            SharedHeap.formatZeroedImage(image.asSlice(SpaceHeader.SEGMENT_OFFSET), capacity, SEGMENT_HEADER);
            long base = chooseAddress(fileSize) + SpaceHeader.SEGMENT_OFFSET;
            writeHeaderImage(image, name, spaceId, mode, base, capacity, pid);
            SpaceSyscalls.pwriteFully(fd, image, 0);   // creator pid first: a crash from here on is recovered
            afterStep.accept(CreateStep.WRITTEN);
            SpaceSyscalls.ftruncate(fd, fileSize);
            afterStep.accept(CreateStep.SIZED);
            MemorySegment mapping = SpaceMappings.mapAt(fd, fileSize, false, SpaceHeader.mappingAddress(base), arena);
            for (int attempt = 1; mapping == null && attempt < 16; attempt++) {
                // the address is taken in this process: another one, recorded in the header again
                base = chooseAddress(fileSize) + SpaceHeader.SEGMENT_OFFSET;
                image.asSlice(0, SpaceHeader.BYTES).fill((byte) 0);
                writeHeaderImage(image, name, spaceId, mode, base, capacity, pid);
                SpaceSyscalls.pwriteFully(fd, image.asSlice(0, SpaceHeader.BYTES), 0);
                mapping = SpaceMappings.mapAt(fd, fileSize, false, SpaceHeader.mappingAddress(base), arena);
            }
            if (mapping == null) {
                throw new SpaceException(SpaceException.Reason.ADDRESS_TAKEN, "no free fixed address found for "
                        + fileSize + " bytes in [0x" + Long.toHexString(ADDRESS_LOW) + ", 0x"
                        + Long.toHexString(ADDRESS_HIGH) + ") after 16 tries");
            }
            afterStep.accept(CreateStep.MAPPED);
            MemorySegment magic = image.asSlice(SpaceHeader.magicOffset(), JAVA_LONG.byteSize());
            magic.set(JAVA_LONG, 0, SpaceHeader.MAGIC);
            SpaceSyscalls.pwriteFully(fd, magic, SpaceHeader.magicOffset());   // last: the space exists
            afterStep.accept(CreateStep.SEALED);
            MemorySegment seg = mapping.asSlice(SpaceHeader.SEGMENT_OFFSET, capacity);
            SharedSpace s = new SharedSpace(name, spaceId, arena, new SpaceHeader(mapping), seg, base, false, 0, fd,
                    SharedHeap.formatted(new SegmentWords(seg), SEGMENT_HEADER));
            done = true;
            return s;   // keeps fd: its detach leaves the attached table with a pwrite
        } finally {
            buffer.release();
            if (!done) {
                arena.close();
                removeOwnFile(name, fd);
                SpaceSyscalls.closeQuietly(fd);
            }
        }
    }

    /**
     * Creates the space file exclusively, removing first what a creation that died left under
     * the name. When another process or thread removed that leftover meanwhile (and perhaps
     * claimed the name itself), this tries again: the name then either is free or holds that
     * other creation (EXISTS).
     */
    private int claim(String name, String file, int mode) {
        for (int attempt = 0; ; attempt++) {
            try {
                return SpaceSyscalls.createExclusive(file, mode);
            } catch (LinuxException e) {
                if (e.errno() != Errno.EEXIST) throw e;
                if (attempt >= 4 || !(recoverInterrupted(name) || !Files.exists(spaceFile(name)))) {
                    throw new SpaceException(SpaceException.Reason.EXISTS, "space '" + name + "' already exists in " + dir
                            + "; attach it, or delete it first");
                }
            }
        }
    }

    /**
     * A new space's header as it is before its magic, written into the first
     * {@link SpaceHeader#BYTES} of {@code image} (zero there): creator pid, version, the first
     * metadata version, and this process registered in slot 0 of the attached table.
     */
    private static void writeHeaderImage(MemorySegment image, String name, long spaceId, int mode, long base,
                                         long capacity, long pid) {
        SpaceHeader.formatImage(image, new SpaceMetadata(name, spaceId, SpaceSyscalls.geteuid(), mode,
                List.of(new SpaceMetadata.Segment("main", base, capacity)), Map.of()), pid, pid);
    }

    /**
     * Attaches space {@code name}: maps its file so that the segment is at its fixed address
     * (or, with {@link AttachOptions#mappedAnywhere()} or when that address is taken and
     * {@link AttachOptions#allowReloc()}, anywhere).
     *
     * @throws SpaceException NOT_FOUND, ACCESS_DENIED, VERSION, DAMAGED, ADDRESS_TAKEN
     */
    public SharedSpace attach(String name, AttachOptions options) {
        checkName(name);
        long fileSize = checkAccess(name, options.readOnly());   // NOT_FOUND without the file
        Arena arena = Arena.ofShared();
        boolean done = false;
        SpaceException unreadable = null;
        // a read-write attacher registers in the attached table, which delete checks: shared lock until registered
        int dirLock = options.readOnly() ? -1 : lockDirectory(false);
        try {
            Opened opened = null;
            try {
                opened = options.anywhere() ? openAnywhere(name, options.readOnly(), options.prefault(), arena)
                        : openFixed(name, fileSize, options, arena);
            } catch (SpaceException e) {
                if (e.reason() != SpaceException.Reason.DAMAGED) throw e;
                unreadable = e;   // perhaps what a creation that died left: looked at below, without the shared lock
            }
            if (opened != null) {
                SharedSpace s = attached(name, options, opened, arena);
                done = true;
                return s;
            }
        } finally {
            if (dirLock >= 0) SpaceSyscalls.closeQuietly(dirLock);
            if (!done) arena.close();
        }
        if (recoverInterrupted(name)) throw notFound(name);   // removed once its creator is dead
        throw unreadable;
    }

    /** The attachment of a space {@code opened} (mapped and checked): registered in the attached table if read-write. */
    private static SharedSpace attached(String name, AttachOptions options, Opened opened, Arena arena) {
        SpaceHeader header = opened.header();
        SpaceMetadata m = opened.metadata();
        SpaceMetadata.Segment main = m.segments().getFirst();
        MemorySegment seg = opened.segment();
        if (options.readOnly()) seg = seg.asReadOnly();
        long[] previous = new long[1];
        int slot = options.readOnly() ? -1 : register(header, previous);
        try {
            return new SharedSpace(name, m.spaceId(), arena, header, seg, main.base(), options.readOnly(), slot, -1, null);
        } catch (IllegalStateException e) {   // the segment's heap header: the slot as it was, byte for byte
            if (slot >= 0) JAVA_LONG.varHandle().compareAndSet(header.attachedTable(), slot * 8L,
                    ProcessHandle.current().pid(), previous[0]);
            throw new SpaceException(SpaceException.Reason.DAMAGED, "space '" + name + "': segment '" + main.name()
                    + "': " + e.getMessage(), e);
        }
    }

    /**
     * Deletes space {@code name}, under the directory's exclusive lock. Processes still
     * attached keep their mappings until they detach (Linux unlink semantics); with
     * {@code force} false, live attachers of other processes refuse it. With {@code force}, a
     * space that cannot be read (damaged, another format version) is removed too, with the
     * segment files of format version 1. A creation still in progress is refused either way;
     * what a dead creation left is removed (and the name reported NOT_FOUND).
     *
     * @throws SpaceException NOT_FOUND; ACCESS_DENIED; BUSY naming the attached pids or the
     *                        creating pid
     */
    public void delete(String name, boolean force) {
        checkName(name);
        int dirLock = lockDirectory(true);
        try {
            deleteLocked(name, force);
        } finally {
            SpaceSyscalls.closeQuietly(dirLock);
        }
    }

    /**
     * {@link #delete} under the directory's exclusive lock: no other deleter or remover of
     * leftovers runs, and no read-write attacher is between opening the file and registering.
     * The header is read with {@code pread} (no mapping, no page fault).
     */
    private void deleteLocked(String name, boolean force) {
        checkAccess(name, false);   // NOT_FOUND, ACCESS_DENIED
        Path file = spaceFile(name);
        ImageBuffer buffer = ImageBuffer.acquire(SpaceHeader.BYTES);
        try {
            MemorySegment copy = buffer.image(SpaceHeader.BYTES);
            long read = readStart(name, copy);
            long size;
            try {
                size = Files.size(file);   // after the read: a file whose magic was read has its full size
            } catch (IOException e) {
                throw notFound(name);
            }
            if (read < SpaceHeader.BYTES) {   // a creation killed inside its first write, or one not that far yet
                if (isLeftover(file)) {
                    deleteQuietly(file);
                    throw notFound(name);
                }
                throw new SpaceException(SpaceException.Reason.BUSY, "space '" + name + "' is being created (its file"
                        + " is " + read + " bytes, shorter than the " + SpaceHeader.BYTES + "-byte header; if its creator"
                        + " died, it is removed once 10 s old)");
            }
            SpaceHeader h = new SpaceHeader(copy);
            if (h.magic() == 0) {   // a creation that has not finished
                long creator = h.creatorPid();
                if (creator == 0 || !SpaceSyscalls.isAlive(creator)) {   // ... and never will: removed, as every look does
                    deleteQuietly(file);
                    throw notFound(name);
                }
                throw new SpaceException(SpaceException.Reason.BUSY, "space '" + name + "' is being created by pid "
                        + creator + "; delete it once that creation has finished");
            }
            try {
                checkedMetadata(name, h, size);
            } catch (SpaceException e) {
                if (!force) throw e;
                removeFiles(name);   // unreadable (damaged, other version): force removes its files
                return;
            }
            if (!force) {
                List<Long> others = new ArrayList<>();
                long self = ProcessHandle.current().pid();
                MemorySegment table = h.attachedTable();
                for (int i = 0; i < SpaceHeader.MAX_ATTACHED; i++) {
                    long pid = table.getAtIndex(JAVA_LONG, i);
                    if (SpaceHeader.namesProcess(pid) && pid != self && SpaceSyscalls.isAlive(pid)) others.add(pid);
                }
                if (!others.isEmpty()) {
                    throw new SpaceException(SpaceException.Reason.BUSY, "space '" + name + "' is attached by pid(s) "
                            + others + "; detach them first or delete with force");
                }
            }
            deleteQuietly(file);
        } finally {
            buffer.release();
        }
    }

    /** Reads the start of space {@code name}'s file into {@code copy} (pread); the bytes read. */
    private long readStart(String name, MemorySegment copy) {
        int fd;
        try {
            fd = SpaceSyscalls.open(dirPrefix + name + ".space", Linux.O_RDONLY | Linux.O_CLOEXEC, 0);
        } catch (LinuxException e) {
            if (e.errno() == Errno.ENOENT) throw notFound(name);
            throw e;
        }
        try {
            long total = 0;
            while (total < copy.byteSize()) {
                long r = SpaceSyscalls.pread(fd, copy.asSlice(total), total);
                if (r == 0) break;
                total += r;
            }
            return total;
        } finally {
            SpaceSyscalls.closeQuietly(fd);
        }
    }

    /** Every readable space here, by name (unreadable ones are logged); also removes leftovers of interrupted creations. */
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
            }
        }
        return out;
    }

    /** What {@code atlas spaces inspect} shows, read without attaching (read-only). */
    public SpaceInfo inspect(String name) {
        checkName(name);
        if (!Files.exists(spaceFile(name)) || recoverInterrupted(name)) throw notFound(name);
        return inspectFile(name);
    }

    /** What {@link #inspect} shows, without looking for leftovers (delete does that itself, under the lock). */
    private SpaceInfo inspectFile(String name) {
        try (Arena arena = Arena.ofConfined()) {
            Opened opened = openAnywhere(name, true, false, arena);
            SpaceHeader header = opened.header();
            SpaceMetadata m = opened.metadata();
            List<Long> attached = new ArrayList<>();
            List<Long> dead = new ArrayList<>();
            MemorySegment table = header.attachedTable();
            for (int i = 0; i < SpaceHeader.MAX_ATTACHED; i++) {
                long pid = table.getAtIndex(JAVA_LONG, i);
                if (SpaceHeader.namesProcess(pid)) (SpaceSyscalls.isAlive(pid) ? attached : dead).add(pid);
            }
            int holder = RobustLock.holderPid(header.lockMemory());
            long used;
            try {
                used = SharedHeap.open(new SegmentWords(opened.segment())).used();
            } catch (IllegalStateException e) {
                used = -1;
            }
            return new SpaceInfo(m, attached, used, holder, holder != 0 && SpaceSyscalls.isAlive(holder), dead);
        }
    }

    // ---------------------------------------------------------------- helpers

    /** A space file mapped: its header, the metadata read (and checked) from it, and the main segment. */
    private record Opened(SpaceHeader header, SpaceMetadata metadata, MemorySegment segment) {}

    /**
     * Maps the whole space file wherever the JDK places it ({@code FileChannel.map}: no native
     * function linked) and checks its header against the file. With {@code prefault}, the
     * segment's prefaulting thread starts as soon as the mapping exists
     * ({@link AttachOptions#prefaulted()}).
     */
    private Opened openAnywhere(String name, boolean readOnly, boolean prefault, Arena arena) {
        try (FileChannel ch = FileChannel.open(spaceFile(name), readOnly ? Set.of(StandardOpenOption.READ)
                : Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE))) {
            long size = ch.size();
            requireHeader(name, size);
            MemorySegment mapping = ch.map(readOnly ? FileChannel.MapMode.READ_ONLY : FileChannel.MapMode.READ_WRITE,
                    0, size, arena);
            if (prefault) SpacePrefault.start(name, mapping.asSlice(SpaceHeader.SEGMENT_OFFSET));   // alongside what follows
            SpaceHeader h = new SpaceHeader(mapping);
            SpaceMetadata m = checkedMetadata(name, h, size);
            return new Opened(h, m, mapping.asSlice(SpaceHeader.SEGMENT_OFFSET, size - SpaceHeader.SEGMENT_OFFSET));
        } catch (NoSuchFileException e) {
            throw notFound(name);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot map the file of space '" + name + "'", e);
        }
    }

    /**
     * Reads the header with {@code pread}, checks it against the size of the file it read
     * (the name may have passed to another creation since the access check's stat), then maps the whole file so that the main segment lands at its
     * fixed address ({@code MAP_FIXED_NOREPLACE}); if that range is taken, anywhere with
     * {@link AttachOptions#allowReloc()}, else ADDRESS_TAKEN.
     */
    private Opened openFixed(String name, long statSize, AttachOptions options, Arena arena) {
        requireHeader(name, statSize);
        int fd;
        try {
            fd = SpaceSyscalls.open(dirPrefix + name + ".space", (options.readOnly() ? Linux.O_RDONLY : Linux.O_RDWR)
                    | Linux.O_CLOEXEC, 0);
        } catch (LinuxException e) {
            if (e.errno() == Errno.ENOENT) throw notFound(name);
            throw e;
        }
        ImageBuffer buffer = ImageBuffer.acquire(SpaceHeader.BYTES);
        try {
            MemorySegment copy = buffer.image(SpaceHeader.BYTES);
            long read = SpaceSyscalls.pread(fd, copy, 0);
            // the name may have passed to another creation since the stat: its file may be shorter, or longer
            if (read != SpaceHeader.BYTES) requireHeader(name, read);
            // the size after the read: a file whose magic was read has its full size (without magic, refused below)
            long fileSize = new SpaceHeader(copy).magic() == SpaceHeader.MAGIC ? openFileSize(name, fd) : statSize;
            SpaceMetadata m = checkedMetadata(name, new SpaceHeader(copy), fileSize);
            SpaceMetadata.Segment main = m.segments().getFirst();
            MemorySegment mapping = SpaceMappings.mapFixed(name, fd, fileSize, main, options, arena);
            if (options.prefault()) SpacePrefault.start(name, mapping.asSlice(SpaceHeader.SEGMENT_OFFSET, main.size()));
            return new Opened(new SpaceHeader(mapping), m, mapping.asSlice(SpaceHeader.SEGMENT_OFFSET, main.size()));
        } finally {
            buffer.release();
            SpaceSyscalls.closeQuietly(fd);
        }
    }

    /** The size of the file open as {@code fd} (a stat of {@code /proc/self/fd/FD}: that file, whatever the name holds now). */
    private long openFileSize(String name, int fd) {
        try {
            return Files.size(Path.of("/proc/self/fd/" + fd));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stat the open file of space '" + name + "'", e);
        }
    }

    private static void requireHeader(String name, long fileSize) {
        if (fileSize < SpaceHeader.BYTES) {
            throw new SpaceException(SpaceException.Reason.DAMAGED, "space '" + name + "': its file is " + fileSize
                    + " bytes, shorter than the " + SpaceHeader.BYTES + "-byte header (a creation still in progress or one that died early,"
                    + " or not a space)");
        }
    }

    /**
     * The newest metadata of the header {@code h} of a space file of {@code fileSize} bytes,
     * after checking magic, version, checksums, and that the file holds exactly the header
     * and the main segment, whose mapping address is a usable one.
     */
    private SpaceMetadata checkedMetadata(String name, SpaceHeader h, long fileSize) {
        long magic = h.magic();
        if (magic != SpaceHeader.MAGIC) {
            throw new SpaceException(SpaceException.Reason.DAMAGED, "space '" + name + "': header magic 0x"
                    + Long.toHexString(magic) + ", expected 0x" + Long.toHexString(SpaceHeader.MAGIC)
                    + (magic == 0 ? " (creation by pid " + h.creatorPid() + " still in progress)" : ""));
        }
        int version = h.version();
        if (version != SpaceHeader.VERSION) {
            throw new SpaceException(SpaceException.Reason.VERSION, "space '" + name + "' has format version "
                    + version + "; this Atlas reads version " + SpaceHeader.VERSION
                    + (version == 1 ? " (version 1 kept the segment in a second file, NAME.<id>.0.seg)" : "")
                    + "; delete it (atlas spaces rm --force " + name + ") and create it again");
        }
        SpaceMetadata m;
        try {
            m = h.read();
        } catch (IllegalStateException e) {
            throw new SpaceException(SpaceException.Reason.DAMAGED, "space '" + name + "': " + e.getMessage(), e);
        }
        SpaceMetadata.Segment main = m.segments().getFirst();
        if (SpaceHeader.fileSize(main.size()) != fileSize) {
            throw new SpaceException(SpaceException.Reason.DAMAGED, "space '" + name + "': its file is " + fileSize
                    + " bytes; the header says " + SpaceHeader.BYTES + " bytes of header and " + main.size()
                    + " bytes of segment '" + main.name() + "'");
        }
        if (SpaceHeader.mappingAddress(main.base()) < LOWEST_MAPPING) {
            throw new SpaceException(SpaceException.Reason.DAMAGED, "space '" + name + "': segment '" + main.name()
                    + "' at 0x" + Long.toHexString(main.base()) + " leaves no room for the header below it (expected"
                    + " at least 0x" + Long.toHexString(LOWEST_MAPPING + SpaceHeader.SEGMENT_OFFSET) + ")");
        }
        return m;
    }

    /**
     * Removes a creation that never finished and whose creator is dead; true if it did.
     *
     * <p>Implementation notes: the file is looked at without a lock first (the common case:
     * nothing to remove, nothing linked). A leftover is then looked at again and unlinked
     * under an exclusive {@code flock} of the directory, which every remover of leftovers
     * takes: while it is held, the file under the name stays the one just looked at (only a
     * holder removes a leftover, and no one creates a file under a name that is taken), so a
     * recoverer never unlinks a space that another recoverer created after removing the same
     * leftover. The kernel releases the lock when its holder dies.
     */
    private boolean recoverInterrupted(String name) {
        Path file = spaceFile(name);
        if (!isLeftover(file)) return false;
        int dirLock = lockDirectory(true);
        try {
            if (!isLeftover(file)) return false;     // removed by another recoverer meanwhile
            deleteQuietly(file);
            return true;
        } finally {
            SpaceSyscalls.closeQuietly(dirLock);
        }
    }

    /**
     * Takes the directory's lock: an {@code flock} of the directory, exclusive for whoever
     * unlinks a space file (delete, the removal of leftovers, a create that failed removing
     * its own file), shared for a read-write attacher from opening the file until it is
     * registered in the attached table. Released by closing the returned descriptor, or by
     * the kernel when the process dies. Each call is its own holder: a thread that holds it
     * must not take it again (it would wait for itself).
     *
     * @return the directory's descriptor, to close when done
     */
    private int lockDirectory(boolean exclusive) {
        int dirFd = SpaceSyscalls.open(dir.toString(), Linux.O_RDONLY | Linux.O_CLOEXEC, 0);
        try {
            if (exclusive) SpaceSyscalls.lockExclusive(dirFd); else SpaceSyscalls.lockShared(dirFd);
            return dirFd;
        } catch (RuntimeException e) {
            SpaceSyscalls.closeQuietly(dirFd);
            throw e;
        }
    }

    /**
     * Removes what a create that failed after claiming the name left, under the directory's
     * lock, if the name still holds the file open as {@code fd} (the same device and inode),
     * never a file another process made under the name meanwhile.
     */
    private void removeOwnFile(String name, int fd) {
        Path file = spaceFile(name);
        int dirLock = lockDirectory(true);
        try {
            Object mine = Files.readAttributes(Path.of("/proc/self/fd/" + fd), java.nio.file.attribute.BasicFileAttributes.class).fileKey();
            Object named = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class,
                    java.nio.file.LinkOption.NOFOLLOW_LINKS).fileKey();
            if (mine != null && mine.equals(named)) deleteQuietly(file);
        } catch (IOException e) {
            // the name is gone (removed meanwhile) or cannot be looked at: nothing of ours to remove
        } finally {
            SpaceSyscalls.closeQuietly(dirLock);
        }
    }

    /** The pid of the live process still creating {@code file} (a header without magic), or 0. */
    private static long liveCreator(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (ch.size() < SpaceHeader.BYTES) return 0;
            try (Arena a = Arena.ofConfined()) {
                SpaceHeader h = new SpaceHeader(ch.map(FileChannel.MapMode.READ_ONLY, 0, SpaceHeader.BYTES, a));
                long pid = h.creatorPid();
                return h.magic() == 0 && pid != 0 && SpaceSyscalls.isAlive(pid) ? pid : 0;
            }
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * True if {@code file} is what a creation that died left: a header without magic whose
     * creator is dead, or a file shorter than a header (killed inside its first write) that
     * is 10 s old.
     */
    private static boolean isLeftover(Path file) {
        // one channel for the size check and the mapping: the name may pass to another creator's new,
        // still short file between two opens, and a file under one name only grows
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.READ)) {
            if (ch.size() < SpaceHeader.BYTES) {
                return Files.getLastModifiedTime(file).toMillis() < System.currentTimeMillis() - 10_000;
            }
            try (Arena a = Arena.ofConfined()) {
                SpaceHeader h = new SpaceHeader(ch.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, 0, SpaceHeader.BYTES, a));
                return h.magic() == 0 && (h.creatorPid() == 0 || !SpaceSyscalls.isAlive(h.creatorPid()));
            }
        } catch (NoSuchFileException e) {
            return false;   // removed meanwhile
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Removes the space file and any segment files of format version 1 under the name. */
    private void removeFiles(String name) {
        deleteQuietly(spaceFile(name));
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> name.equals(spaceOfVersion1Segment(p.getFileName().toString())))
                    .forEach(SpaceDirectory::deleteQuietly);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The name of the space a format-1 segment file belongs to, or null if {@code fileName} is none. */
    private static String spaceOfVersion1Segment(String fileName) {
        java.util.regex.Matcher m = Version1.SEGMENT_FILE.matcher(fileName);
        return m.matches() ? m.group(1) : null;
    }

    /** Compiled on first use: no regular expression on the way of a fresh JVM that creates or attaches. */
    private static final class Version1 {
        /**
         * {@code NAME.<id>.<n>.seg}, a segment file of format version 1. The name may hold dots
         * itself, so it is all before the last two parts.
         */
        static final Pattern SEGMENT_FILE = Pattern.compile("(.+)\\.[0-9a-f]+\\.[0-9]+\\.seg");
    }

    /**
     * Checks owner and mode of the space file against the effective ids (one stat).
     *
     * @return the file's size, from the same stat
     */
    private long checkAccess(String name, boolean readOnly) {
        int uid, gid, mode;
        long size;
        try {
            Map<String, Object> a = Files.readAttributes(spaceFile(name), "unix:uid,gid,mode,size");   // one stat
            uid = (int) a.get("uid");
            gid = (int) a.get("gid");
            mode = (int) a.get("mode") & 0777;
            size = (long) a.get("size");
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
        return size;
    }

    /** Takes a free slot of the attached table for this process; its previous entry in {@code previous[0]}. */
    private static int register(SpaceHeader header, long[] previous) {
        VarHandle h = JAVA_LONG.varHandle();
        MemorySegment table = header.attachedTable();
        long pid = ProcessHandle.current().pid();
        for (int i = 0; i < SpaceHeader.MAX_ATTACHED; i++) {
            long cur = (long) h.getVolatile(table, i * 8L);
            if ((cur == 0 || !SpaceSyscalls.isAlive(cur)) && h.compareAndSet(table, i * 8L, cur, pid)) {
                previous[0] = cur;
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

    /** The file of space {@code name}: header and segment. */
    Path spaceFile(String name) {
        return dir.resolve(name + ".space");
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            System.getLogger("dev.atlas.spaces").log(System.Logger.Level.WARNING, "cannot delete " + p, e);
        }
    }
}
