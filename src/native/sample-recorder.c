/*
 * carbontracker's sample recorder: reads a few small sysfs/procfs files every interval and
 * keeps each read's bytes in a ring of slots in a file it is handed, so that the Node process
 * that tracks a run sleeps between its batches instead of waking every second (issue 16: a
 * wake-up of a Node process costs several times one of this loop). Node parses the bytes later
 * with the very readers that read the files themselves (src/sampling/sample-recorder.ts), so
 * this program knows nothing of RAPL or /proc/stat: it only reads and records.
 *
 * Usage: sample-recorder PARENT_PID INTERVAL_MS SLOTS HEAD_BYTES:PATH...
 *   PARENT_PID is the pid of the process that starts it: it ends at once if that one has gone.
 *   Each file is read up to its HEAD_BYTES (at most 65536) from offset 0. The ring is the file open as descriptor 3 (Node unlinks it before this runs, so nothing is
 *   left behind). Each of the SLOTS slots holds one sample:
 *     u64 sequence (1, 2, ...; 0: never written)   f64 time (Unix ms, CLOCK_REALTIME)
 *     per file: i32 length (>= 0: bytes read; < 0: -errno of the open or read), its HEAD_BYTES bytes
 *     u64 the same sequence again
 *   A slot is written with one pwrite; a reader that finds the two sequences unequal read it
 *   while it was being written and takes it at its next look.
 * It ends when its parent does (PR_SET_PDEATHSIG) or on SIGTERM; exit status 2 is a usage error,
 * 3 a failed write to the ring.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#define RING_FD 3
#define MAX_FILES 64
#define SYSFS_MAGIC 0x62656572
#define PROC_SUPER_MAGIC 0x9fa0

struct watched {
  const char *path;
  size_t head_bytes;
  int fd;
  /* Files outside sysfs/procfs (a copied or fake tree) may be replaced: checked before a read. */
  int may_be_replaced;
};

static struct watched files[MAX_FILES];
static int file_count;

static void open_file(struct watched *file) {
  file->fd = open(file->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (file->fd < 0) return;
  struct statfs fs;
  file->may_be_replaced =
      fstatfs(file->fd, &fs) != 0 || (fs.f_type != SYSFS_MAGIC && fs.f_type != PROC_SUPER_MAGIC);
}

/* Reads the head of a file into `into`; returns its length or -errno. */
static int32_t read_file(struct watched *file, char *into) {
  if (file->fd >= 0 && file->may_be_replaced) {
    struct stat st;
    if (fstat(file->fd, &st) != 0 || st.st_nlink == 0 || !S_ISREG(st.st_mode)) {
      close(file->fd);
      file->fd = -1;
    }
  }
  if (file->fd < 0) open_file(file);
  if (file->fd < 0) return -errno;
  ssize_t length = pread(file->fd, into, file->head_bytes, 0);
  if (length < 0) {
    int failure = errno;
    /* The next read opens the file again: it may come back (a module reloaded). */
    close(file->fd);
    file->fd = -1;
    return -failure;
  }
  return (int32_t)length;
}

static long positive(const char *text) {
  char *end;
  long value = strtol(text, &end, 10);
  return *end == '\0' && value > 0 ? value : -1;
}

int main(int argc, char **argv) {
  if (argc < 5) return 2;
  long parent = positive(argv[1]);
  long interval_ms = positive(argv[2]);
  long slots = positive(argv[3]);
  file_count = argc - 4;
  if (parent < 0 || interval_ms < 0 || slots < 0 || file_count > MAX_FILES) return 2;
  size_t slot_bytes = 2 * sizeof(uint64_t) + sizeof(double);
  for (int i = 0; i < file_count; i++) {
    char *spec = argv[4 + i];
    char *colon = strchr(spec, ':');
    if (colon == NULL) return 2;
    *colon = '\0';
    long head_bytes = positive(spec);
    if (head_bytes < 0 || head_bytes > 65536) return 2;
    files[i].head_bytes = (size_t)head_bytes;
    files[i].path = colon + 1;
    files[i].fd = -1;
    slot_bytes += sizeof(int32_t) + (size_t)head_bytes;
  }
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (getppid() != (pid_t)parent) return 0; /* The parent went before the line above. */
  for (int i = 0; i < file_count; i++) open_file(&files[i]);
  char *slot = calloc(1, slot_bytes);
  if (slot == NULL) return 3;

  struct timespec next;
  clock_gettime(CLOCK_MONOTONIC, &next);
  for (uint64_t sequence = 1;; sequence++) {
    /* The next instant on the grid: a late wake-up (a suspended machine) skips, never bunches. */
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    do {
      next.tv_nsec += (interval_ms % 1000) * 1000000L;
      next.tv_sec += interval_ms / 1000 + next.tv_nsec / 1000000000L;
      next.tv_nsec %= 1000000000L;
    } while (next.tv_sec < now.tv_sec || (next.tv_sec == now.tv_sec && next.tv_nsec <= now.tv_nsec));
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR) {
    }

    struct timespec wall;
    clock_gettime(CLOCK_REALTIME, &wall);
    double time_ms = (double)wall.tv_sec * 1000.0 + (double)wall.tv_nsec / 1e6;
    char *at = slot;
    memcpy(at, &sequence, sizeof sequence);
    at += sizeof sequence;
    memcpy(at, &time_ms, sizeof time_ms);
    at += sizeof time_ms;
    for (int i = 0; i < file_count; i++) {
      int32_t length = read_file(&files[i], at + sizeof(int32_t));
      memcpy(at, &length, sizeof length);
      at += sizeof(int32_t) + files[i].head_bytes;
    }
    memcpy(at, &sequence, sizeof sequence);
    off_t offset = (off_t)((sequence - 1) % (uint64_t)slots) * (off_t)slot_bytes;
    if (pwrite(RING_FD, slot, slot_bytes, offset) != (ssize_t)slot_bytes) return 3;
  }
}
