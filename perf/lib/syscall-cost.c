/* The C half of perf/syscall-cost.sh: times getsockopt(TCP_NODELAY) on an unconnected TCP socket,
 * as io.portier.perf.SyscallCost does through Netty's JNI. Usage: syscall-cost CALLS REPS. Prints
 * "c MEDIAN MIN MAX ON" in wall-clock ns per call; one warm-up repetition first, not counted. */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int cmp(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s CALLS REPS\n", argv[0]);
        return 2;
    }
    long calls = atol(argv[1]);
    int reps = atoi(argv[2]);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || calls <= 0 || reps <= 0) {
        perror("socket");
        return 1;
    }
    double *ns = calloc(reps, sizeof *ns);
    long on = 0;
    for (int r = -1; r < reps; r++) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (long i = 0; i < calls; i++) {
            int v = 0;
            socklen_t len = sizeof v;
            if (getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, &len) == 0 && v) {
                on++;
            }
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if (r >= 0) {
            ns[r] = ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / calls;
        }
    }
    qsort(ns, reps, sizeof *ns, cmp);
    printf("c %.1f %.1f %.1f %ld\n", ns[reps / 2], ns[0], ns[reps - 1], on);
    free(ns);
    close(fd);
    return 0;
}
