/*
 * atlas_uffd: the userfaultfd write-protect fault handler of atlas-memory.
 *
 * Why native: a handler running on a JVM thread deadlocks the process at the next
 * safepoint (the faulting writer sits in the kernel, still "in Java" for the JVM; the
 * handler, back from read(), blocks at the safepoint). This library's pthread is not a
 * JVM thread, so the JVM never waits for it and it never waits for the JVM.
 *
 * One handle = one userfaultfd, a set of regions (each with its own page bitmaps and
 * snapshot buffer) and the mappings that write to them (several mappings may alias one
 * region, e.g. views of one memfd: write-protect is per mapping, so each is registered).
 *
 * Modes of the handler (changed only under h->lock, which the handler holds while it
 * processes a batch of events):
 *   TRACK    a fault marks the page chunk dirty and un-protects it in the faulting mapping.
 *   COPY     a fault saves every not-yet-saved page of the chunk (copy into the region's
 *            buffer, or, for a region with a target, a write of nothing into the target's
 *            private page so that the kernel copies it on write), sets its saved bit with
 *            release ordering, and only then un-protects the chunk (waking the writer).
 *   RELEASE  a fault only un-protects (the handle is being torn down).
 *
 * Invariant in COPY mode: a page whose saved bit is 0 is write-protected in every
 * registered mapping, so its contents are still those of the cut. atlas_uffd_cut()
 * establishes it (switches to COPY, then re-protects every page un-protected during
 * TRACK, all under the lock), and the handler keeps it (saves before un-protecting).
 *
 * Errors are returned as negative errno values; nothing here aborts or exits.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef UFFD_FEATURE_WP_UNPOPULATED
#define UFFD_FEATURE_WP_UNPOPULATED (1 << 13)
#endif
#ifndef USERFAULTFD_IOC_NEW
#define USERFAULTFD_IOC_NEW _IO(0xAA, 0x00)
#endif

#define PAGE 4096UL
#define MODE_TRACK 0
#define MODE_COPY 1
#define MODE_RELEASE 2

typedef struct {
    size_t pages;
    uint64_t *saved;   /* read by Java with acquire ordering */
    uint64_t *dirty;   /* only under the lock */
    char *copy;        /* MAP_NORESERVE buffer, pages x PAGE, or NULL when target != NULL */
    char *target;      /* private mapping to copy-on-write into, or NULL */
} region_t;

typedef struct {
    uintptr_t start;
    size_t len;
    int region;
} mapping_t;

typedef struct atlas_uffd {
    int uffd;
    int stopfd;              /* eventfd: wakes the handler (to stop, or to start background work) */
    int stopping;
    int started;
    pthread_t thread;
    pthread_mutex_t lock;
    int mode;
    size_t chunk;            /* pages saved / un-protected per fault */
    int background;          /* save every page in COPY mode, between faults */
    long spin_ns;            /* after an event, poll without sleeping this long before blocking */
    int bg_region;           /* background cursor: region, page */
    size_t bg_page;
    int nregions, nmaps, maxmaps;
    region_t *regions;
    mapping_t *maps;
    uint64_t faults, saved_pages, stale;
    int error;               /* first errno seen by the handler, 0 if none */
} atlas_uffd;

static int open_uffd(void) {
    int fd = (int) syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
    if (fd >= 0) return fd;
    int first = errno;
    int dev = open("/dev/userfaultfd", O_RDWR | O_CLOEXEC);
    if (dev < 0) return -first;
    fd = ioctl(dev, USERFAULTFD_IOC_NEW, O_CLOEXEC | O_NONBLOCK);
    int e = errno;
    close(dev);
    return fd >= 0 ? fd : -e;
}

/* The features userfaultfd reports here (probe fd, then closed), or -errno. */
long atlas_uffd_probe(void) {
    int fd = open_uffd();
    if (fd < 0) return fd;
    struct uffdio_api api = {.api = UFFD_API, .features = 0};
    long r = ioctl(fd, UFFDIO_API, &api) == 0 ? (long) api.features : -errno;
    close(fd);
    return r;
}

static int wp(atlas_uffd *h, uintptr_t start, size_t len, int protect) {
    struct uffdio_writeprotect w = {
        .range = {.start = start, .len = len},
        .mode = protect ? UFFDIO_WRITEPROTECT_MODE_WP : 0,
    };
    for (;;) {
        if (ioctl(h->uffd, UFFDIO_WRITEPROTECT, &w) == 0) return 0;
        if (errno != EAGAIN && errno != EINTR) return -errno;
    }
}

/* Creates a handle for nregions regions and up to maxmaps mappings; *out is set on success. */
int atlas_uffd_open(int nregions, int maxmaps, long chunk_pages, atlas_uffd **out) {
    if (nregions <= 0 || maxmaps <= 0 || chunk_pages <= 0 || out == NULL) return -EINVAL;
    atlas_uffd *h = calloc(1, sizeof *h);
    if (h == NULL) return -ENOMEM;
    h->uffd = h->stopfd = -1;
    h->regions = calloc((size_t) nregions, sizeof(region_t));
    h->maps = calloc((size_t) maxmaps, sizeof(mapping_t));
    h->nregions = nregions;
    h->maxmaps = maxmaps;
    h->chunk = (size_t) chunk_pages;
    int r;
    if (h->regions == NULL || h->maps == NULL) { r = -ENOMEM; goto fail; }
    pthread_mutex_init(&h->lock, NULL);
    h->uffd = open_uffd();
    if (h->uffd < 0) { r = h->uffd; h->uffd = -1; goto fail; }
    struct uffdio_api api = {.api = UFFD_API, .features = 0};
    if (ioctl(h->uffd, UFFDIO_API, &api) != 0) { r = -errno; goto fail; }
    uint64_t want = UFFD_FEATURE_PAGEFAULT_FLAG_WP;
    if ((api.features & want) != want) { r = -ENOTSUP; goto fail; }
    close(h->uffd);          /* UFFDIO_API works once per fd: probe, then ask on a fresh one */
    h->uffd = open_uffd();
    if (h->uffd < 0) { r = h->uffd; h->uffd = -1; goto fail; }
    struct uffdio_api api2 = {.api = UFFD_API, .features = want | (api.features & UFFD_FEATURE_WP_UNPOPULATED)};
    if (ioctl(h->uffd, UFFDIO_API, &api2) != 0) { r = -errno; goto fail; }
    h->stopfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (h->stopfd < 0) { r = -errno; goto fail; }
    *out = h;
    return 0;
fail:
    if (h->uffd >= 0) close(h->uffd);
    if (h->stopfd >= 0) close(h->stopfd);
    free(h->regions);
    free(h->maps);
    free(h);
    return r;
}

/* Declares region idx of `pages` pages; target is a private mapping to copy-on-write into, or NULL. */
int atlas_uffd_region(atlas_uffd *h, int idx, long pages, void *target) {
    if (idx < 0 || idx >= h->nregions || pages <= 0 || h->regions[idx].pages != 0) return -EINVAL;
    region_t *g = &h->regions[idx];
    size_t words = ((size_t) pages + 63) / 64;
    g->saved = calloc(words, 8);
    g->dirty = calloc(words, 8);
    if (g->saved == NULL || g->dirty == NULL) goto nomem;
    if (target == NULL) {
        void *m = mmap(NULL, (size_t) pages * PAGE, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (m == MAP_FAILED) { int e = errno; free(g->saved); free(g->dirty); g->saved = g->dirty = NULL; return -e; }
        g->copy = m;
    }
    g->target = target;
    g->pages = (size_t) pages;
    return 0;
nomem:
    free(g->saved); free(g->dirty); g->saved = g->dirty = NULL;
    return -ENOMEM;
}

void *atlas_uffd_saved_bits(atlas_uffd *h, int idx) { return h->regions[idx].saved; }
void *atlas_uffd_copy_buffer(atlas_uffd *h, int idx) { return h->regions[idx].copy; }

/* Registers one writing mapping of region idx for write-protect faults (not yet protected). */
int atlas_uffd_map(atlas_uffd *h, int idx, void *addr, long len) {
    if (idx < 0 || idx >= h->nregions || h->regions[idx].pages == 0) return -EINVAL;
    if (((uintptr_t) addr % PAGE) != 0 || len <= 0 || (size_t) len != h->regions[idx].pages * PAGE) return -EINVAL;
    if (h->nmaps >= h->maxmaps) return -ENOSPC;
    struct uffdio_register reg = {
        .range = {.start = (uintptr_t) addr, .len = (uint64_t) len},
        .mode = UFFDIO_REGISTER_MODE_WP,
    };
    if (ioctl(h->uffd, UFFDIO_REGISTER, &reg) != 0) return -errno;
    pthread_mutex_lock(&h->lock);
    h->maps[h->nmaps++] = (mapping_t){(uintptr_t) addr, (size_t) len, idx};
    pthread_mutex_unlock(&h->lock);
    return 0;
}

/* Registers a mapping of region idx while the handler runs, write-protected before it is
   added (for a view mapped after the snapshot: nothing may write through it unprotected). */
int atlas_uffd_map_live(atlas_uffd *h, int idx, void *addr, long len) {
    if (idx < 0 || idx >= h->nregions || h->regions[idx].pages == 0) return -EINVAL;
    if (((uintptr_t) addr % PAGE) != 0 || len <= 0 || (size_t) len != h->regions[idx].pages * PAGE) return -EINVAL;
    pthread_mutex_lock(&h->lock);
    int r = 0;
    if (h->nmaps >= h->maxmaps) { r = -ENOSPC; goto out; }
    struct uffdio_register reg = {
        .range = {.start = (uintptr_t) addr, .len = (uint64_t) len},
        .mode = UFFDIO_REGISTER_MODE_WP,
    };
    if (ioctl(h->uffd, UFFDIO_REGISTER, &reg) != 0) { r = -errno; goto out; }
    struct uffdio_writeprotect w = {.range = {.start = (uintptr_t) addr, .len = (uint64_t) len}, .mode = UFFDIO_WRITEPROTECT_MODE_WP};
    while (ioctl(h->uffd, UFFDIO_WRITEPROTECT, &w) != 0) {
        if (errno != EAGAIN && errno != EINTR) {
            r = -errno;
            struct uffdio_range range = {.start = (uintptr_t) addr, .len = (uint64_t) len};
            ioctl(h->uffd, UFFDIO_UNREGISTER, &range);
            goto out;
        }
    }
    h->maps[h->nmaps++] = (mapping_t){(uintptr_t) addr, (size_t) len, idx};
out:
    pthread_mutex_unlock(&h->lock);
    return r;
}

/* Un-protects and unregisters one mapping (about to be unmapped) and forgets it. */
int atlas_uffd_unmap(atlas_uffd *h, void *addr, long len) {
    pthread_mutex_lock(&h->lock);
    int r = -ENOENT;
    for (int i = 0; i < h->nmaps; i++) {
        if (h->maps[i].start == (uintptr_t) addr && h->maps[i].len == (size_t) len) {
            h->maps[i] = h->maps[--h->nmaps];
            struct uffdio_writeprotect w = {.range = {.start = (uintptr_t) addr, .len = (uint64_t) len}, .mode = 0};
            ioctl(h->uffd, UFFDIO_WRITEPROTECT, &w);
            struct uffdio_range range = {.start = (uintptr_t) addr, .len = (uint64_t) len};
            r = ioctl(h->uffd, UFFDIO_UNREGISTER, &range) == 0 ? 0 : -errno;
            break;
        }
    }
    pthread_mutex_unlock(&h->lock);
    return r;
}

static void save_page(region_t *g, size_t p, const char *live) {
    if (g->target != NULL) {
        /* a locked add of zero: a write that changes nothing, so the kernel gives the
           private mapping its own copy of the current (cut) contents of the page */
        volatile uint64_t *w = (volatile uint64_t *) (g->target + p * PAGE);
#if defined(__x86_64__)
        __asm__ __volatile__("lock addq $0, %0" : "+m"(*w) : : "memory");
#else
        __atomic_fetch_add((uint64_t *) w, 0, __ATOMIC_SEQ_CST);
#endif
    } else {
        memcpy(g->copy + p * PAGE, live, PAGE);
    }
    uint64_t *word = &g->saved[p / 64];
    __atomic_store_n(word, *word | (1ULL << (p % 64)), __ATOMIC_RELEASE);
}

static mapping_t *find(atlas_uffd *h, uintptr_t a) {
    for (int i = 0; i < h->nmaps; i++) {
        mapping_t *m = &h->maps[i];
        if (a >= m->start && a < m->start + m->len) return m;
    }
    return NULL;
}

static void on_fault(atlas_uffd *h, uintptr_t addr) {
    h->faults++;
    mapping_t *m = find(h, addr);
    if (m == NULL) { h->stale++; return; }   /* unregistered meanwhile: the kernel woke it */
    region_t *g = &h->regions[m->region];
    size_t page = (addr - m->start) / PAGE;
    size_t first = page - page % h->chunk;
    size_t end = first + h->chunk;
    if (end > g->pages) end = g->pages;
    if (h->mode == MODE_TRACK) {
        for (size_t p = first; p < end; p++) g->dirty[p / 64] |= 1ULL << (p % 64);
    } else if (h->mode == MODE_COPY) {
        for (size_t p = first; p < end; p++) {
            if ((g->saved[p / 64] & (1ULL << (p % 64))) == 0) {
                save_page(g, p, (const char *) (m->start + p * PAGE));
                h->saved_pages++;
            }
        }
    }
    int r = wp(h, m->start + first * PAGE, (end - first) * PAGE, 0);
    if (r < 0 && h->error == 0) h->error = -r;
}

/* Background copy (under the lock): saves the next BG_PAGES unsaved pages and un-protects
   them in every mapping of their region. Returns 1 while work remains. */
#define BG_PAGES 64
static int background_step(atlas_uffd *h) {
    while (h->bg_region < h->nregions) {
        region_t *g = &h->regions[h->bg_region];
        if (h->bg_page >= g->pages) { h->bg_region++; h->bg_page = 0; continue; }
        size_t first = h->bg_page, end = first + BG_PAGES;
        if (end > g->pages) end = g->pages;
        h->bg_page = end;
        mapping_t *live = NULL;
        for (int i = 0; i < h->nmaps; i++) if (h->maps[i].region == h->bg_region) { live = &h->maps[i]; break; }
        if (live == NULL) continue;
        int any = 0;
        for (size_t p = first; p < end; p++) {
            if ((g->saved[p / 64] & (1ULL << (p % 64))) == 0) {
                save_page(g, p, (const char *) (live->start + p * PAGE));
                h->saved_pages++;
                any = 1;
            }
        }
        if (!any) continue;
        for (int i = 0; i < h->nmaps; i++) {
            if (h->maps[i].region != h->bg_region) continue;
            int r = wp(h, h->maps[i].start + first * PAGE, (end - first) * PAGE, 0);
            if (r < 0 && h->error == 0) h->error = -r;
        }
        return 1;
    }
    return 0;
}

static void *handler_main(void *arg) {
    atlas_uffd *h = arg;
    struct uffd_msg msgs[64];
    struct pollfd fds[2] = {{.fd = h->uffd, .events = POLLIN}, {.fd = h->stopfd, .events = POLLIN}};
    struct timespec last_event = {0, 0};
    for (;;) {
        int busy = __atomic_load_n(&h->background, __ATOMIC_ACQUIRE) && __atomic_load_n(&h->mode, __ATOMIC_ACQUIRE) == MODE_COPY;
        int spinning = 0;
        long spin = __atomic_load_n(&h->spin_ns, __ATOMIC_RELAXED);
        if (!busy && spin > 0) {
            struct timespec now;
            clock_gettime(CLOCK_MONOTONIC, &now);
            spinning = (now.tv_sec - last_event.tv_sec) * 1000000000L + (now.tv_nsec - last_event.tv_nsec) < spin;
        }
        int n = poll(fds, 2, busy || spinning ? 0 : -1);
        if (n == 0 && !busy) continue;
        if (n == 0) {
            pthread_mutex_lock(&h->lock);
            if (h->mode == MODE_COPY && !background_step(h)) h->background = 0;
            pthread_mutex_unlock(&h->lock);
            continue;
        }
        if (n < 0) {
            if (errno == EINTR) continue;
            if (h->error == 0) h->error = errno;
            break;
        }
        if (fds[1].revents & POLLIN) {
            uint64_t v;
            if (read(h->stopfd, &v, sizeof v) < 0 && errno != EAGAIN && h->error == 0) h->error = errno;
            if (__atomic_load_n(&h->stopping, __ATOMIC_ACQUIRE)) break;
            continue;
        }
        ssize_t got = read(h->uffd, msgs, sizeof msgs);
        if (got < 0) {
            if (errno == EAGAIN || errno == EINTR) continue;
            if (h->error == 0) h->error = errno;
            break;
        }
        clock_gettime(CLOCK_MONOTONIC, &last_event);
        pthread_mutex_lock(&h->lock);
        for (size_t i = 0; i < (size_t) got / sizeof msgs[0]; i++) {
            if (msgs[i].event == UFFD_EVENT_PAGEFAULT) on_fault(h, (uintptr_t) msgs[i].arg.pagefault.address);
        }
        pthread_mutex_unlock(&h->lock);
    }
    return NULL;
}

/* Starts the handler thread in TRACK mode. */
int atlas_uffd_start(atlas_uffd *h) {
    if (h->started) return -EALREADY;
    int r = pthread_create(&h->thread, NULL, handler_main, h);
    if (r != 0) return -r;
    h->started = 1;
    return 0;
}

static int wake(atlas_uffd *h) {
    uint64_t one = 1;
    return write(h->stopfd, &one, sizeof one) == (ssize_t) sizeof one ? 0 : -errno;
}

/* Phase 1: write-protects every registered mapping, whole. */
int atlas_uffd_protect_all(atlas_uffd *h) {
    for (int i = 0; i < h->nmaps; i++) {
        int r = wp(h, h->maps[i].start, h->maps[i].len, 1);
        if (r < 0) return r;
    }
    return 0;
}

/* Clean pages between dirty ones that are protected along with them rather than split the
   range: re-protecting an already protected page costs ~20 ns, an extra ioctl (with its TLB
   flush) ~10 us. */
#define COALESCE_GAP 512

static int dirty(const region_t *g, size_t p) { return (g->dirty[p / 64] >> (p % 64)) & 1; }

/* Protects the dirty pages of every mapping again, in coalesced ranges, and clears their
   dirty bits. With `yield`, the lock is released between ranges (TRACK mode: a fault
   meanwhile only marks its page dirty again). Returns the number of dirty pages or -errno. */
static long reprotect_dirty(atlas_uffd *h, int yield) {
    long count = 0;
    for (int r = 0; r < h->nregions; r++) {
        region_t *g = &h->regions[r];
        size_t p = 0;
        for (;;) {
            while (p < g->pages && !dirty(g, p)) p++;
            if (p >= g->pages) break;
            size_t q = p, last = p;
            while (q < g->pages && q - last <= COALESCE_GAP) {
                if (dirty(g, q)) { last = q; count++; }
                q++;
            }
            size_t end = last + 1;
            for (size_t i = p; i < end; i++) g->dirty[i / 64] &= ~(1ULL << (i % 64));
            for (int i = 0; i < h->nmaps; i++) {
                if (h->maps[i].region != r) continue;
                int e = wp(h, h->maps[i].start + p * PAGE, (end - p) * PAGE, 1);
                if (e < 0) return e;
            }
            p = end;
            if (yield) {
                pthread_mutex_unlock(&h->lock);
                pthread_mutex_lock(&h->lock);
            }
        }
    }
    return count;
}

/* Before the cut, writers running: protects again the pages written since protect_all (or
   since the previous call), so that fewer remain for the cut. Returns how many. */
long atlas_uffd_rearm(atlas_uffd *h) {
    pthread_mutex_lock(&h->lock);
    long r = h->mode == MODE_TRACK ? reprotect_dirty(h, 1) : -EINVAL;
    pthread_mutex_unlock(&h->lock);
    return r;
}

/* Phase 2 (writers paused): COPY mode from now on, and every page dirtied during TRACK
   is write-protected again in every mapping. Returns the number of such pages. */
long atlas_uffd_cut(atlas_uffd *h) {
    pthread_mutex_lock(&h->lock);
    __atomic_store_n(&h->mode, MODE_COPY, __ATOMIC_RELEASE);
    long r = reprotect_dirty(h, 0);
    pthread_mutex_unlock(&h->lock);
    if (h->started) wake(h);
    return r;
}

/* From the cut on, the handler also saves every page in the background (between faults),
   so that writers stop faulting once it is done. */
void atlas_uffd_background(atlas_uffd *h, int on) {
    pthread_mutex_lock(&h->lock);
    __atomic_store_n(&h->background, on, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&h->lock);
    wake(h);
}

/* After each batch of faults the handler keeps polling without sleeping for spin_ns
   (0: it blocks at once), which saves a wake-up per fault when faults come in bursts. */
void atlas_uffd_spin(atlas_uffd *h, long spin_ns) {
    __atomic_store_n(&h->spin_ns, spin_ns < 0 ? 0 : spin_ns, __ATOMIC_RELAXED);
}

/* Counters: faults seen, pages saved, faults on no registered mapping, handler errno. */
void atlas_uffd_stats(atlas_uffd *h, uint64_t out[4]) {
    pthread_mutex_lock(&h->lock);
    out[0] = h->faults;
    out[1] = h->saved_pages;
    out[2] = h->stale;
    out[3] = (uint64_t) h->error;
    pthread_mutex_unlock(&h->lock);
}

/* Un-protects and unregisters every mapping (waking any blocked writer), stops the
   handler, closes the fds and frees the buffers. The handle is gone afterwards.
   Returns 0, or the first -errno met (teardown still completes). */
int atlas_uffd_close(atlas_uffd *h) {
    int first = 0;
    pthread_mutex_lock(&h->lock);
    __atomic_store_n(&h->mode, MODE_RELEASE, __ATOMIC_RELEASE);
    for (int i = 0; i < h->nmaps; i++) {
        int r = wp(h, h->maps[i].start, h->maps[i].len, 0);
        if (r < 0 && first == 0) first = r;
        struct uffdio_range range = {.start = h->maps[i].start, .len = h->maps[i].len};
        if (ioctl(h->uffd, UFFDIO_UNREGISTER, &range) != 0 && first == 0) first = -errno;
    }
    h->nmaps = 0;
    pthread_mutex_unlock(&h->lock);
    if (h->started) {
        __atomic_store_n(&h->stopping, 1, __ATOMIC_RELEASE);
        int r = wake(h);
        if (r < 0 && first == 0) first = r;
        pthread_join(h->thread, NULL);
    }
    close(h->uffd);
    close(h->stopfd);
    for (int i = 0; i < h->nregions; i++) {
        region_t *g = &h->regions[i];
        if (g->copy != NULL) munmap(g->copy, g->pages * PAGE);
        free(g->saved);
        free(g->dirty);
    }
    pthread_mutex_destroy(&h->lock);
    free(h->regions);
    free(h->maps);
    free(h);
    return first;
}

/* ---- keeping caller memory alive while a snapshot lives ----
   The FFM linker keeps the scope of every segment argument of a downcall acquired until
   the call returns (closing its arena meanwhile throws IllegalStateException in Java). A
   Java holder thread calls atlas_hold with one segment of each arena a snapshot tracks:
   it signals ready_fd once it runs here (so the scope is acquired), then waits until
   release_fd is signalled. `keep` is never read or written. */
int atlas_hold_fd(void) {
    int fd = eventfd(0, EFD_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

int atlas_hold_signal(int fd) {
    uint64_t one = 1;
    return write(fd, &one, sizeof one) == (ssize_t) sizeof one ? 0 : -errno;
}

/* Returns 0 once released; -errno if it failed before signalling ready (the caller signals
   for it); 1 if waiting failed after ready (the hold ended early). */
int atlas_hold(int ready_fd, int release_fd, void *keep) {
    (void) keep;
    int r = atlas_hold_signal(ready_fd);
    if (r < 0) return r;
    struct pollfd p = {.fd = release_fd, .events = POLLIN};
    for (;;) {
        int n = poll(&p, 1, -1);
        if (n > 0) return 0;
        if (n < 0 && errno != EINTR && errno != ENOMEM) return 1;
    }
}

/* Blocks until `count` signals have arrived on fd (a blocking eventfd). */
int atlas_hold_await(int fd, long count) {
    long seen = 0;
    while (seen < count) {
        uint64_t v;
        ssize_t got = read(fd, &v, sizeof v);
        if (got == (ssize_t) sizeof v) seen += (long) v;
        else if (got < 0 && errno != EINTR) return -errno;
    }
    return 0;
}

/* ---- benchmark support: the fork() baseline ----
   fork()s this process; the child sleeps child_ms and _exit(0)s without running any JVM
   code (only async-signal-safe calls). Returns the child's pid or -errno; *ns gets the
   duration of fork() in the parent (the page-table copy). */
#include <sys/wait.h>
#include <time.h>
long atlas_bench_fork(long child_ms, long *ns) {
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    pid_t p = fork();
    if (p == 0) {
        struct timespec t = {child_ms / 1000, (child_ms % 1000) * 1000000L};
        nanosleep(&t, NULL);
        _exit(0);
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    if (p < 0) return -errno;
    *ns = (b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec);
    return p;
}

int atlas_bench_reap(long pid) {
    int status;
    return waitpid((pid_t) pid, &status, 0) < 0 ? -errno : 0;
}
