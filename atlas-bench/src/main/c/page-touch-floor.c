/*
 * The floor under stage 2 of `./atlas demo spaces` on this machine: reading one word of
 * every 4 KiB page of a tmpfs file already in the page cache (as stage 2's walk reads the
 * tree that stage 1 wrote), through a fresh MAP_SHARED read-only mapping, from C with
 * nothing else to do. Five ways: touching alone (the kernel maps fault-around blocks per
 * read fault); MAP_POPULATE, then touching; madvise(MADV_POPULATE_READ) (Linux 5.14+), then
 * touching; madvise(MADV_WILLNEED), then touching; and, for comparison, not in place: pread
 * of the whole file into private anonymous memory with MADV_HUGEPAGE (2 MiB pages where
 * transparent huge pages are "madvise" or "always"), then touching that copy. Thread CPU time
 * and wall time per way, median of ROUNDS rounds, the ways taking turns; the mapping (or the
 * copy) and munmap are inside the timed interval (stage 2 maps the space too). A way the
 * kernel refuses (EINVAL) is reported and skipped.
 *
 *   gcc -O2 -o /tmp/page-touch-floor atlas-bench/src/main/c/page-touch-floor.c
 *   /tmp/page-touch-floor [DIRECTORY, default /dev/shm] [MiB, default 64] [ROUNDS, default 7]
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif
#define WAYS 5

static double now(clockid_t c) {
    struct timespec t;
    clock_gettime(c, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "/dev/shm";
    long mib = argc > 2 ? atol(argv[2]) : 64;
    int rounds = argc > 3 ? atoi(argv[3]) : 7;
    long size = mib << 20;
    char path[4096];
    snprintf(path, sizeof path, "%s/page-touch-floor-%d", dir, (int) getpid());
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) { perror(path); return 1; }
    unlink(path);
    static char block[1 << 20];
    for (long i = 0; i < (long) sizeof block; i++) block[i] = (char) i;
    for (long off = 0; off < size; off += sizeof block) pwrite(fd, block, sizeof block, off);
    const char *names[] = {"touch each page", "MAP_POPULATE + touch", "MADV_POPULATE_READ + touch",
                           "MADV_WILLNEED + touch", "pread into THP memory + touch"};
    double cpu[WAYS][64], wall[WAYS][64];
    int refused[WAYS] = {0};
    volatile long sink = 0;
    if (rounds > 64) rounds = 64;
    for (int r = 0; r < rounds; r++) {
        for (int way = 0; way < WAYS; way++) {
            if (refused[way]) continue;
            double c0 = now(CLOCK_THREAD_CPUTIME_ID), w0 = now(CLOCK_MONOTONIC);
            long *m;
            if (way == 4) {
                m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
                if (m == MAP_FAILED) { perror("mmap anonymous"); return 1; }
                madvise(m, size, MADV_HUGEPAGE);
                for (long off = 0; off < size; ) {
                    ssize_t n = pread(fd, (char *) m + off, size - off, off);
                    if (n <= 0) { perror("pread"); return 1; }
                    off += n;
                }
            } else {
                m = mmap(NULL, size, PROT_READ, MAP_SHARED | (way == 1 ? MAP_POPULATE : 0), fd, 0);
                if (m == MAP_FAILED) { perror("mmap"); return 1; }
                int advice = way == 2 ? MADV_POPULATE_READ : way == 3 ? MADV_WILLNEED : -1;
                if (advice >= 0 && madvise(m, size, advice) != 0) {
                    perror(names[way]);
                    refused[way] = 1;
                    munmap(m, size);
                    continue;
                }
            }
            long s = 0;
            for (long i = 0; i < size / 8; i += 512) s += m[i];
            sink += s;
            munmap(m, size);
            cpu[way][r] = now(CLOCK_THREAD_CPUTIME_ID) - c0;
            wall[way][r] = now(CLOCK_MONOTONIC) - w0;
        }
    }
    printf("%ld MiB of a file in %s, %d rounds, medians:\n", mib, dir, rounds);
    for (int way = 0; way < WAYS; way++) {
        if (refused[way]) { printf("  %-32s refused by the kernel\n", names[way]); continue; }
        qsort(cpu[way], rounds, sizeof(double), cmp);
        qsort(wall[way], rounds, sizeof(double), cmp);
        printf("  %-32s %7.1f ms CPU %7.1f ms wall (CPU min %.1f, max %.1f)\n", names[way], cpu[way][rounds / 2],
               wall[way][rounds / 2], cpu[way][0], cpu[way][rounds - 1]);
    }
    close(fd);
    return (int) (sink & 0);
}
