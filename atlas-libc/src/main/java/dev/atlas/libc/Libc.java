package dev.atlas.libc;

import java.lang.foreign.FunctionDescriptor;
import java.util.Locale;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Where the native calls of Atlas work (Linux on x86_64 or aarch64) and the machine's page
 * size: the facts every native boundary of Atlas ({@link Downcall}s in atlas-memory,
 * atlas-spaces and the agent's JIT window) shares.
 *
 * {@snippet class=dev.atlas.libc.snippets.LibcSnippets region=libc}
 *
 * <p>Threading contract: any thread; the page size is asked once, on first use.
 */
public final class Libc {
    private static final int SC_PAGESIZE = 30;   // the same on x86_64 and aarch64 glibc and musl

    private static final boolean SUPPORTED =
            supports(System.getProperty("os.name", ""), System.getProperty("os.arch", ""));

    private Libc() {}

    /** True for the OS and CPU names (as in {@code os.name}, {@code os.arch}) the native calls work on. */
    static boolean supports(String osName, String osArch) {
        String os = osName.toLowerCase(Locale.ROOT);
        String arch = osArch.toLowerCase(Locale.ROOT);
        return os.startsWith("linux") && (arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64"));
    }

    /** True on Linux x86_64 and aarch64, where the native calls of Atlas work. */
    public static boolean isSupported() {
        return SUPPORTED;
    }

    /** @throws UnsupportedOperationException naming the OS and CPU, unless {@link #isSupported()} */
    public static void requireSupported() {
        if (!SUPPORTED) {
            throw new UnsupportedOperationException("Atlas's native calls need Linux on x86_64 or aarch64; this is "
                    + System.getProperty("os.name") + " on " + System.getProperty("os.arch"));
        }
    }

    /**
     * The page size ({@code sysconf(_SC_PAGESIZE)}), asked once.
     *
     * @throws UnsupportedOperationException unless {@link #isSupported()}
     */
    public static long pageSize() {
        requireSupported();
        return PageSize.PAGE_SIZE;
    }

    /** The page size, asked on first use (loading Libc links nothing). */
    private static final class PageSize {
        static final long PAGE_SIZE;

        static {
            try {
                PAGE_SIZE = (long) Downcall.of("sysconf", FunctionDescriptor.of(JAVA_LONG, JAVA_INT)).handle()
                        .invokeExact(SC_PAGESIZE);
            } catch (Throwable t) {
                throw new ExceptionInInitializerError(t);
            }
        }
    }
}
