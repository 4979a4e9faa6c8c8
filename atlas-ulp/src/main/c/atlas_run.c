/*
 * atlas-run: the native client of the Atlas host (atlas-ulp), so that `atlas run` starts
 * no JVM. Same protocol as dev.atlas.ulp.protocol.Frame/Request: frames of
 * [u8 type][u32 big-endian length][payload]; REQUEST=1 STDIN=2 STDOUT=3 STDERR=4 EXIT=5.
 *
 * Usage: atlas-run <command...>   (run ..., host status, host stop, kill ID)
 * When no host answers a `run`, it starts one: $ATLAS_JAVA [-XX:AOTCache=<dir>/host.aot, if that
 * file exists] -XX:TrimNativeHeapInterval=10000
 * -XX:TieredStopAtLevel=1 [$ATLAS_HOST_JAVA_OPTS] -cp
 * $ATLAS_ULP_JAR dev.atlas.ulp.UlpMain host serve, detached (setsid), output to host.log.
 * Without $ATLAS_JAVA it asks the shell command $ATLAS_FIND_JAVA (set by ./atlas: the JDK
 * search of scripts/find-jdk.sh) for the java launcher, so that a run on a live host never
 * pays for the JDK search.
 * Exit status: the program's; 1 with a message on stderr when the host cannot be reached.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static char dir[4096];

static void host_dir(void) {
    const char *d = getenv("ATLAS_HOST_DIR");
    const char *x = getenv("XDG_RUNTIME_DIR");
    if (d && *d) snprintf(dir, sizeof dir, "%s", d);
    else if (x && *x) snprintf(dir, sizeof dir, "%s/atlas-host", x);
    else snprintf(dir, sizeof dir, "/tmp/atlas-host-%u", (unsigned) getuid());
}

static int connect_host(void) {
    struct sockaddr_un a;
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    if ((size_t) snprintf(a.sun_path, sizeof a.sun_path, "%s/host.sock", dir) >= sizeof a.sun_path) return -1;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    if (connect(fd, (struct sockaddr *) &a, sizeof a) != 0) { close(fd); return -1; }
    return fd;
}

/* The java launcher: $ATLAS_JAVA, else the first line printed by the command $ATLAS_FIND_JAVA. */
static const char *find_java(void) {
    static char found[4096];
    const char *java = getenv("ATLAS_JAVA"), *cmd = getenv("ATLAS_FIND_JAVA");
    if (java && *java) return java;
    if (!cmd || !*cmd) return NULL;
    FILE *p = popen(cmd, "r");
    if (!p) return NULL;
    char *line = fgets(found, sizeof found, p);
    int rc = pclose(p);
    if (!line || rc != 0) return NULL;
    found[strcspn(found, "\n")] = 0;
    return *found ? found : NULL;
}

static int start_host(void) {
    const char *java = find_java(), *jar = getenv("ATLAS_ULP_JAR");
    if (!java || !jar) {
        fprintf(stderr, "atlas: no host is running in %s and no java (ATLAS_JAVA or ATLAS_FIND_JAVA) and ATLAS_ULP_JAR to start one\n", dir);
        return -1;
    }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) { fprintf(stderr, "atlas: cannot create %s: %s\n", dir, strerror(errno)); return -1; }
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        setsid();
        char log[4200];
        snprintf(log, sizeof log, "%s/host.log", dir);
        int in = open("/dev/null", O_RDONLY), out = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (in >= 0) dup2(in, 0);
        if (out >= 0) { dup2(out, 1); dup2(out, 2); }
        if (chdir("/") != 0) _exit(127);
        char *argv[64]; int n = 0;
        argv[n++] = (char *) java;
        char aot[4200], aot_opt[4300];   /* the user's AOT cache, if made (docs/ulp.md) */
        snprintf(aot, sizeof aot, "%s/host.aot", dir);
        if (access(aot, R_OK) == 0) {
            snprintf(aot_opt, sizeof aot_opt, "-XX:AOTCache=%s", aot);
            argv[n++] = aot_opt;
        }
        argv[n++] = "-XX:TrimNativeHeapInterval=10000";   /* as HostStarter.DEFAULT_OPTIONS */
        argv[n++] = "-XX:TieredStopAtLevel=1";
        char *opts = getenv("ATLAS_HOST_JAVA_OPTS");
        if (opts) {
            opts = strdup(opts);
            for (char *t = strtok(opts, " \t"); t && n < 56; t = strtok(NULL, " \t")) argv[n++] = t;
        }
        argv[n++] = "-cp"; argv[n++] = (char *) jar; argv[n++] = "dev.atlas.ulp.UlpMain";
        argv[n++] = "host"; argv[n++] = "serve"; argv[n] = NULL;
        setenv("ATLAS_HOST_DIR", dir, 1);
        execv(java, argv);
        _exit(127);
    }
    for (int i = 0; i < 6000; i++) {   /* an external process: poll its socket, up to 60 s */
        int fd = connect_host();
        if (fd >= 0) return fd;
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    fprintf(stderr, "atlas: no host listening in %s after 60 s; see %s/host.log\n", dir, dir);
    return -1;
}

static int write_all(int fd, const void *p, size_t n) {
    const char *c = p;
    while (n > 0) {
        ssize_t w = write(fd, c, n);
        if (w < 0) { if (errno == EINTR) continue; return -1; }
        c += w; n -= (size_t) w;
    }
    return 0;
}

static int read_all(int fd, void *p, size_t n) {
    char *c = p;
    while (n > 0) {
        ssize_t r = read(fd, c, n);
        if (r < 0) { if (errno == EINTR) continue; return -1; }
        if (r == 0) return 0;
        c += r; n -= (size_t) r;
    }
    return 1;
}

static void put32(unsigned char *b, uint32_t v) { b[0] = v >> 24; b[1] = v >> 16; b[2] = v >> 8; b[3] = v; }

static int send_frame(int fd, int type, const void *p, uint32_t n) {
    unsigned char h[5]; h[0] = (unsigned char) type; put32(h + 1, n);
    return write_all(fd, h, 5) || write_all(fd, p, n) ? -1 : 0;
}

/* Request: u32 argc, strings; u32 envc, strings; cwd. */
static int send_request(int fd, int argc, char **argv) {
    size_t cap = 4096, len = 0; unsigned char *b = malloc(cap);
    char cwd[8192];
    if (!b || !getcwd(cwd, sizeof cwd)) return -1;
#define NEED(k) do { while (len + (k) > cap) { cap *= 2; b = realloc(b, cap); if (!b) return -1; } } while (0)
#define PUTS(s) do { size_t l_ = strlen(s); NEED(4 + l_); put32(b + len, (uint32_t) l_); memcpy(b + len + 4, s, l_); len += 4 + l_; } while (0)
    NEED(4); put32(b + len, (uint32_t) argc); len += 4;
    for (int i = 0; i < argc; i++) PUTS(argv[i]);
    uint32_t envc = 0; for (char **e = environ; *e; e++) envc++;
    NEED(4); put32(b + len, envc); len += 4;
    for (char **e = environ; *e; e++) PUTS(*e);
    PUTS(cwd);
    int rc = send_frame(fd, 1, b, (uint32_t) len);
    free(b);
    return rc;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: atlas-run <run ...|host status|host stop|kill ID>\n"); return 2; }
    signal(SIGPIPE, SIG_IGN);
    host_dir();
    int fd = connect_host();
    if (fd < 0) {
        if (strcmp(argv[1], "run") != 0) {
            fprintf(stderr, "atlas: no host is running (%s/host.sock)\n", dir);
            return strcmp(argv[1], "host") == 0 ? 0 : 1;
        }
        fd = start_host();
        if (fd < 0) return 1;
    }
    if (send_request(fd, argc - 1, argv + 1) != 0) { fprintf(stderr, "atlas: cannot send the request: %s\n", strerror(errno)); return 1; }
    int stdin_open = 1;
    static unsigned char buf[1 << 16];
    for (;;) {
        struct pollfd p[2] = {{fd, POLLIN, 0}, {0, POLLIN, 0}};
        int n = poll(p, stdin_open ? 2 : 1, -1);
        if (n < 0) { if (errno == EINTR) continue; return 1; }
        if (stdin_open && (p[1].revents & (POLLIN | POLLHUP | POLLERR))) {
            ssize_t r = read(0, buf, sizeof buf);
            if (r <= 0) { send_frame(fd, 2, buf, 0); stdin_open = 0; }
            else if (send_frame(fd, 2, buf, (uint32_t) r) != 0) stdin_open = 0;
        }
        if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            unsigned char h[5];
            if (read_all(fd, h, 5) != 1) break;
            uint32_t len = (uint32_t) h[1] << 24 | (uint32_t) h[2] << 16 | (uint32_t) h[3] << 8 | h[4];
            if (len > (16u << 20)) break;
            unsigned char *payload = len <= sizeof buf ? buf : malloc(len);
            if (!payload || (len > 0 && read_all(fd, payload, len) != 1)) break;
            if (h[0] == 3) write_all(1, payload, len);
            else if (h[0] == 4) write_all(2, payload, len);
            else if (h[0] == 5 && len == 4) {
                return (int) ((uint32_t) payload[0] << 24 | (uint32_t) payload[1] << 16 | (uint32_t) payload[2] << 8 | payload[3]) & 0xff;
            }
            if (payload != buf) free(payload);
        }
    }
    fprintf(stderr, "atlas: the host closed the connection without an exit status (see %s/host.log)\n", dir);
    return 1;
}
