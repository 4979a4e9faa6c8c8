package dev.atlas.memory.uffd;

import java.io.IOException;
import java.io.InputStream;
import dev.atlas.libc.Errno;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * The bundled {@code libatlasuffd.so}, loaded once: its downcall handles, or the reason it
 * could not be loaded.
 */
@SuppressWarnings("restricted")
final class NativeLibrary {
    /*
     * Implementation notes.
     *
     * The library is a class-path resource (native/linux-<arch>/libatlasuffd.so, arch x86_64
     * or aarch64: the build's mapping of os.arch, mirrored by arch()) built by
     * the module's Maven build when gcc is present. Loaded from the file system when the
     * resource is a file (target/classes), otherwise extracted to a temporary file first.
     * The lookup lives in the global arena: the library is never unloaded.
     */
    static final String RESOURCE = "/native/linux-" + arch(System.getProperty("os.arch", "")) + "/libatlasuffd.so";

    private static final Linker LINKER = Linker.nativeLinker();
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final ValueLayout PTR = ValueLayout.ADDRESS;

    private static final NativeLibrary INSTANCE = load();

    final String failure;          // null when loaded
    final SymbolLookup lookup;     // null when not loaded
    final MethodHandle probe;      // long ()
    final MethodHandle open;       // int (int nregions, int maxmaps, long chunk, ptr out)
    final MethodHandle region;     // int (ptr h, int idx, long pages, ptr target)
    final MethodHandle savedBits;  // ptr (ptr h, int idx)
    final MethodHandle copyBuffer; // ptr (ptr h, int idx)
    final MethodHandle map;        // int (ptr h, int idx, ptr addr, long len)
    final MethodHandle start;      // int (ptr h)
    final MethodHandle protectAll; // int (ptr h)
    final MethodHandle cut;        // long (ptr h)
    final MethodHandle rearm;      // long (ptr h)
    final MethodHandle spin;       // void (ptr h, long ns)
    final MethodHandle mapLive;    // int (ptr h, int idx, ptr addr, long len)
    final MethodHandle unmap;      // int (ptr h, ptr addr, long len)
    final MethodHandle stats;      // void (ptr h, ptr out)
    final MethodHandle close;      // int (ptr h)
    final MethodHandle background; // void (ptr h, int on)
    final MethodHandle holdFd;     // int ()
    final MethodHandle holdSignal; // int (int fd)
    final MethodHandle hold;       // int (int readyFd, int releaseFd, ptr keep)
    final MethodHandle holdAwait;  // int (int fd, long count)

    private NativeLibrary(String failure, SymbolLookup lookup) {
        this.failure = failure;
        this.lookup = lookup;
        if (lookup == null) {
            probe = open = region = savedBits = copyBuffer = map = start = protectAll = cut = rearm = spin = mapLive = unmap = stats = close = background = null;
            holdFd = holdSignal = hold = holdAwait = null;
            return;
        }
        probe = handle(lookup, "atlas_uffd_probe", FunctionDescriptor.of(LONG));
        open = handle(lookup, "atlas_uffd_open", FunctionDescriptor.of(INT, INT, INT, LONG, PTR));
        region = handle(lookup, "atlas_uffd_region", FunctionDescriptor.of(INT, PTR, INT, LONG, PTR));
        savedBits = handle(lookup, "atlas_uffd_saved_bits", FunctionDescriptor.of(PTR, PTR, INT));
        copyBuffer = handle(lookup, "atlas_uffd_copy_buffer", FunctionDescriptor.of(PTR, PTR, INT));
        map = handle(lookup, "atlas_uffd_map", FunctionDescriptor.of(INT, PTR, INT, PTR, LONG));
        start = handle(lookup, "atlas_uffd_start", FunctionDescriptor.of(INT, PTR));
        protectAll = handle(lookup, "atlas_uffd_protect_all", FunctionDescriptor.of(INT, PTR));
        cut = handle(lookup, "atlas_uffd_cut", FunctionDescriptor.of(LONG, PTR));
        rearm = handle(lookup, "atlas_uffd_rearm", FunctionDescriptor.of(LONG, PTR));
        spin = handle(lookup, "atlas_uffd_spin", FunctionDescriptor.ofVoid(PTR, LONG));
        mapLive = handle(lookup, "atlas_uffd_map_live", FunctionDescriptor.of(INT, PTR, INT, PTR, LONG));
        unmap = handle(lookup, "atlas_uffd_unmap", FunctionDescriptor.of(INT, PTR, PTR, LONG));
        stats = handle(lookup, "atlas_uffd_stats", FunctionDescriptor.ofVoid(PTR, PTR));
        close = handle(lookup, "atlas_uffd_close", FunctionDescriptor.of(INT, PTR));
        background = handle(lookup, "atlas_uffd_background", FunctionDescriptor.ofVoid(PTR, INT));
        holdFd = handle(lookup, "atlas_hold_fd", FunctionDescriptor.of(INT));
        holdSignal = handle(lookup, "atlas_hold_signal", FunctionDescriptor.of(INT, INT));
        hold = handle(lookup, "atlas_hold", FunctionDescriptor.of(INT, INT, INT, PTR));
        holdAwait = handle(lookup, "atlas_hold_await", FunctionDescriptor.of(INT, INT, LONG));
    }

    /** The directory name of the build for {@code os.arch}: x86_64, aarch64, or null if none is built. */
    static String arch(String osArch) {
        return switch (osArch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64" -> "aarch64";
            default -> null;
        };
    }

    static NativeLibrary get() {
        return INSTANCE;
    }

    boolean loaded() {
        return failure == null;
    }

    /** "EPERM (Operation not permitted)"-style text for a positive errno value. */
    String describeErrno(int errno) {
        return Errno.name(errno) + " (" + Errno.describe(errno) + ")";
    }

    private static MethodHandle handle(SymbolLookup lookup, String name, FunctionDescriptor fd) {
        MemorySegment symbol = lookup.find(name).orElseThrow(() -> new IllegalStateException(
                "symbol " + name + " missing from " + RESOURCE + " (stale native build?)"));
        return LINKER.downcallHandle(symbol, fd);
    }

    private static NativeLibrary load() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!os.contains("linux") || arch(arch) == null) {
            return new NativeLibrary("the native handler is built for Linux on x86_64 and aarch64 only (this is "
                    + os + "/" + arch + ")", null);
        }
        URL url = NativeLibrary.class.getResource(RESOURCE);
        if (url == null) {
            return new NativeLibrary("the native handler " + RESOURCE + " is not on the class path"
                    + " (the build found no C compiler, or ran with -Datlas.native.skip=true)", null);
        }
        try {
            Path path = "file".equals(url.getProtocol()) ? Path.of(url.toURI()) : extract(url);
            return new NativeLibrary(null, SymbolLookup.libraryLookup(path, Arena.global()));
        } catch (IOException | URISyntaxException | RuntimeException e) {
            return new NativeLibrary("the native handler " + RESOURCE + " could not be loaded: " + e, null);
        }
    }

    private static Path extract(URL url) throws IOException {
        Path file = Files.createTempFile("libatlasuffd", ".so");
        file.toFile().deleteOnExit();
        try (InputStream in = url.openStream()) {
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        }
        return file;
    }
}
