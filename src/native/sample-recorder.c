/*
 * carbontracker's sample recorder: reads a few small sysfs/procfs files (and asks NVML for GPU
 * power) every interval and keeps each read's bytes in a ring of slots in a file it is handed,
 * so that the Node process that tracks a run sleeps between its batches instead of waking every
 * second (issue 16: a wake-up of a Node process costs several times one of this loop). Node
 * parses the bytes later with the very readers that read the files themselves
 * (src/sampling/sample-recorder.ts), so this program knows nothing of RAPL or /proc/stat: it
 * only reads and records.
 *
 * Usage: sample-recorder PARENT_PID INTERVAL_MS SLOTS SOURCE...
 *   PARENT_PID is the pid of the process that starts it: it ends at once if that one has gone.
 *   A SOURCE is one of:
 *     HEAD_BYTES:PATH      a file, read up to HEAD_BYTES (at most 65536) from offset 0;
 *     nvml-library:PATH    the NVML library to load (dlopen, nvmlInit_v2) for the sources below;
 *     nvml-power:INDEX     nvmlDeviceGetPowerUsage of the GPU with that NVML index, which Node's
 *                          NVML reader would otherwise call every sample (its counter, dear on a
 *                          real driver, is read by Node itself, at boundaries and once a batch).
 *   The ring is the file open as descriptor 3 (Node unlinks it before this runs, so nothing is
 *   left behind). Each of the SLOTS slots holds one sample:
 *     u64 sequence (1, 2, ...; 0: never written)   f64 time (Unix ms, CLOCK_REALTIME)
 *     per file: i32 length (>= 0: bytes read; < 0: -errno of the open or read), its HEAD_BYTES bytes
 *     per GPU: i32 nvmlReturn_t of the call, u32 the power in milliwatts (valid when it is 0)
 *     u64 the same sequence again
 *   A slot is written with one pwrite; a reader that finds the two sequences unequal read it
 *   while it was being written and takes it at its next look.
 * It ends when its parent does (PR_SET_PDEATHSIG) or on SIGTERM; exit status 2 is a usage error,
 * 3 a failed write to the ring, 4 an NVML library that cannot be loaded or initialised, or a GPU
 * whose handle it cannot get (Node then reads every sample itself).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
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
#define MAX_SOURCES 64
#define SYSFS_MAGIC 0x62656572
#define PROC_SUPER_MAGIC 0x9fa0

struct watched {
  /* A file's path, or NULL for a GPU's power (nvml-power:INDEX). */
  const char *path;
  size_t head_bytes;
  int fd;
  /* Files outside sysfs/procfs (a copied or fake tree) may be replaced: checked before a read. */
  int may_be_replaced;
  unsigned int nvml_index;
  void *nvml_device;
};

static struct watched sources[MAX_SOURCES];
static int source_count;

/* The NVML calls made, bound from the library named by nvml-library:PATH (nvml.h's signatures). */
typedef int (*nvml_init_fn)(void);
typedef int (*nvml_handle_by_index_fn)(unsigned int index, void **device);
typedef int (*nvml_power_fn)(void *device, unsigned int *milliwatts);
typedef int (*nvml_shutdown_fn)(void);
static const char *nvml_library;
static nvml_power_fn nvml_power;
static nvml_shutdown_fn nvml_shutdown;

/*
 * SIGTERM (from Node, or from the kernel when the parent ends) ends the loop before its next
 * sample, so NVML is shut down as its documentation asks. A driver call may never return (a lost
 * GPU): SIGALRM's default action ends the process 2 s later whatever it is doing.
 */
static volatile sig_atomic_t stopping;

static void stop(int signal_number) {
  (void)signal_number;
  stopping = 1;
  alarm(2);
}

static int record(long slots, long interval_ms, size_t slot_bytes);

/* Loads NVML and gets each GPU's handle; 0 when done, else -1. */
static int open_nvml(void) {
  void *library = dlopen(nvml_library, RTLD_NOW | RTLD_LOCAL);
  if (library == NULL) return -1;
  nvml_init_fn init = (nvml_init_fn)dlsym(library, "nvmlInit_v2");
  nvml_handle_by_index_fn handle_by_index =
      (nvml_handle_by_index_fn)dlsym(library, "nvmlDeviceGetHandleByIndex_v2");
  nvml_power = (nvml_power_fn)dlsym(library, "nvmlDeviceGetPowerUsage");
  nvml_shutdown = (nvml_shutdown_fn)dlsym(library, "nvmlShutdown");
  if (init == NULL || handle_by_index == NULL || nvml_power == NULL || nvml_shutdown == NULL) return -1;
  if (init() != 0) {
    nvml_shutdown = NULL;
    return -1;
  }
  for (int i = 0; i < source_count; i++) {
    if (sources[i].path == NULL && handle_by_index(sources[i].nvml_index, &sources[i].nvml_device) != 0) return -1;
  }
  return 0;
}

/* A GPU's power into `into` (u32 mW); returns the call's nvmlReturn_t. */
static int32_t read_power(struct watched *gpu, char *into) {
  unsigned int milliwatts = 0;
  int32_t rc = nvml_power(gpu->nvml_device, &milliwatts);
  memcpy(into, &milliwatts, sizeof milliwatts);
  return rc;
}

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
  if (parent < 0 || interval_ms < 0 || slots < 0 || argc - 4 > MAX_SOURCES) return 2;
  size_t slot_bytes = 2 * sizeof(uint64_t) + sizeof(double);
  int gpu_count = 0;
  for (int arg = 4; arg < argc; arg++) {
    char *spec = argv[arg];
    char *colon = strchr(spec, ':');
    if (colon == NULL) return 2;
    *colon = '\0';
    if (strcmp(spec, "nvml-library") == 0) {
      nvml_library = colon + 1;
      continue;
    }
    struct watched *source = &sources[source_count++];
    source->fd = -1;
    if (strcmp(spec, "nvml-power") == 0) {
      char *end;
      unsigned long index = strtoul(colon + 1, &end, 10);
      if (*end != '\0' || colon[1] == '\0' || index > 1024) return 2;
      source->nvml_index = (unsigned int)index;
      source->head_bytes = sizeof(uint32_t);
      gpu_count++;
    } else {
      long head_bytes = positive(spec);
      if (head_bytes < 0 || head_bytes > 65536) return 2;
      source->head_bytes = (size_t)head_bytes;
      source->path = colon + 1;
    }
    slot_bytes += sizeof(int32_t) + source->head_bytes;
  }
  if (gpu_count > 0 && nvml_library == NULL) return 2;
  struct sigaction on_term;
  memset(&on_term, 0, sizeof on_term);
  on_term.sa_handler = stop;
  sigaction(SIGTERM, &on_term, NULL);
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (getppid() != (pid_t)parent) return 0; /* The parent went before the line above. */
  int status = gpu_count == 0 || open_nvml() == 0 ? record(slots, interval_ms, slot_bytes) : 4;
  /* NVML's own state (its handles on /dev/nvidia*) is given back as nvmlShutdown documents. */
  if (nvml_shutdown != NULL) nvml_shutdown();
  return status;
}

/* Records a sample every interval until SIGTERM; returns the exit status. */
static int record(long slots, long interval_ms, size_t slot_bytes) {
  for (int i = 0; i < source_count; i++) {
    if (sources[i].path != NULL) open_file(&sources[i]);
  }
  char *slot = calloc(1, slot_bytes);
  if (slot == NULL) return 3;

  int status = 0;
  struct timespec next;
  clock_gettime(CLOCK_MONOTONIC, &next);
  for (uint64_t sequence = 1; !stopping; sequence++) {
    /* The next instant on the grid: a late wake-up (a suspended machine) skips, never bunches. */
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    do {
      next.tv_nsec += (interval_ms % 1000) * 1000000L;
      next.tv_sec += interval_ms / 1000 + next.tv_nsec / 1000000000L;
      next.tv_nsec %= 1000000000L;
    } while (next.tv_sec < now.tv_sec || (next.tv_sec == now.tv_sec && next.tv_nsec <= now.tv_nsec));
    while (!stopping && clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR) {
    }
    if (stopping) break;

    struct timespec wall;
    clock_gettime(CLOCK_REALTIME, &wall);
    double time_ms = (double)wall.tv_sec * 1000.0 + (double)wall.tv_nsec / 1e6;
    char *at = slot;
    memcpy(at, &sequence, sizeof sequence);
    at += sizeof sequence;
    memcpy(at, &time_ms, sizeof time_ms);
    at += sizeof time_ms;
    for (int i = 0; i < source_count; i++) {
      int32_t length = sources[i].path != NULL ? read_file(&sources[i], at + sizeof(int32_t))
                                              : read_power(&sources[i], at + sizeof(int32_t));
      memcpy(at, &length, sizeof length);
      at += sizeof(int32_t) + sources[i].head_bytes;
    }
    memcpy(at, &sequence, sizeof sequence);
    off_t offset = (off_t)((sequence - 1) % (uint64_t)slots) * (off_t)slot_bytes;
    if (pwrite(RING_FD, slot, slot_bytes, offset) != (ssize_t)slot_bytes) {
      status = 3;
      break;
    }
  }
  free(slot);
  return status;
}
