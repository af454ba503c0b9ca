/*
 * carbontracker's NVML proxy: makes the NVML calls the CLI asks for, in a process of its own, so
 * the CLI needs no thread to keep a driver call that hangs away from its event loop (issue 16: a
 * Node worker costs the CLI about 12 MB of memory and a wake per batch). A call that never
 * returns leaves this process stuck, not the CLI: the CLI stops waiting at its deadline and kills
 * this process (src/hardware/nvml/nvml-proxy.ts).
 *
 * Usage: nvml-proxy PARENT_PID LIBRARY
 *   PARENT_PID is the pid of the process that starts it: it ends at once if that one has gone.
 *   LIBRARY is the NVML library to load (dlopen) and initialise (nvmlInit_v2).
 * The exchange is the file open as descriptor 3 (Node unlinks it before this runs):
 *   at 0, the request, written by Node:
 *     u32 sequence, u32 operation, u32 handle, u32 argument, char text[128] (NUL-terminated)
 *   at 4096, the answer, written here with one pwrite:
 *     u32 sequence, i32 return code, u32 length, u32 call_us, u64 value, length bytes,
 *     u32 the same sequence again (a reader that finds the two unequal read a torn answer)
 *   call_us is the CPU time (µs) the energy counter's driver call took on this thread (0 for the
 *   other calls): what a counter read costs, without the exchange's round trip or a wait.
 * Node writes a request, then sends SIGUSR1; this process answers it and waits for the next.
 * Once started, it answers sequence 0xFFFFFFFF: nvmlInit_v2's return code (with nvmlErrorString's
 * words as bytes when it failed), or LOAD_FAILED (-1) with the loader's message as bytes.
 * Devices are named by handles, small numbers from 1 that stand for NVML's device pointers.
 * A function the library lacks answers FUNCTION_NOT_FOUND (13).
 * It ends on the SHUTDOWN request (after nvmlShutdown), or when its parent ends
 * (PR_SET_PDEATHSIG, SIGKILL); exit status 2 is a usage error, 3 a failed read or write of the
 * exchange.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>


#define EXCHANGE_FD 3
#define REQUEST_AT 0
#define ANSWER_AT 4096
#define TEXT_BYTES 128
#define MAX_HANDLES 1024
#define MAX_BYTES 65536
#define INIT_SEQUENCE 0xFFFFFFFFu

#define NVML_SUCCESS 0
#define NVML_ERROR_INSUFFICIENT_SIZE 7
#define NVML_ERROR_FUNCTION_NOT_FOUND 13
/* Not an NVML code: the library could not be loaded, or lacks a function every NVML has. */
#define LOAD_FAILED (-1)
/* The answer to a request naming a handle this process never gave out. */
#define NVML_ERROR_INVALID_ARGUMENT 2

/* nvmlProcessInfo_t is 24 bytes; some R535 drivers write 32 (Node detects the stride). */
#define PROCESS_INFO_STRIDE 32
#define SPARE_PROCESSES 8

enum operation {
  OP_COUNT = 1,
  OP_HANDLE_BY_INDEX,
  OP_HANDLE_BY_UUID,
  OP_NAME,
  OP_UUID,
  OP_POWER,
  OP_ENERGY,
  OP_ENFORCED_LIMIT,
  OP_MANAGEMENT_LIMIT,
  OP_COMPUTE_PROCESSES,
  OP_GRAPHICS_PROCESSES,
  OP_IS_MIG,
  OP_MIG_PARENT,
  OP_MAX_MIG,
  OP_MIG_BY_INDEX,
  OP_DRIVER_VERSION,
  OP_NVML_VERSION,
  OP_ERROR_STRING,
  /* Not answered: it shuts NVML down and ends. */
  OP_SHUTDOWN,
};

struct request {
  uint32_t sequence;
  uint32_t operation;
  uint32_t handle;
  uint32_t argument;
  char text[TEXT_BYTES];
};

struct answer {
  uint32_t sequence;
  int32_t rc;
  uint32_t length;
  uint32_t call_us;
  uint64_t value;
  unsigned char bytes[MAX_BYTES + sizeof(uint32_t)];
};

typedef int (*fn_void)(void);
typedef int (*fn_uint_out)(unsigned int *);
typedef int (*fn_index_device)(unsigned int, void **);
typedef int (*fn_text_device)(const char *, void **);
typedef int (*fn_device_bytes)(void *, char *, unsigned int);
typedef int (*fn_device_uint)(void *, unsigned int *);
typedef int (*fn_device_u64)(void *, unsigned long long *);
typedef int (*fn_device_processes)(void *, unsigned int *, void *);
typedef int (*fn_device_device)(void *, void **);
typedef int (*fn_device_index_device)(void *, unsigned int, void **);
typedef int (*fn_bytes)(char *, unsigned int);
typedef const char *(*fn_error_string)(int);

static struct {
  fn_void init, shutdown;
  fn_uint_out count;
  fn_index_device by_index;
  fn_text_device by_uuid;
  fn_device_bytes name, uuid;
  fn_device_uint power, enforced_limit, management_limit, is_mig, max_mig;
  fn_device_u64 energy;
  fn_device_processes compute, graphics;
  fn_device_device mig_parent;
  fn_device_index_device mig_by_index;
  fn_bytes driver_version, nvml_version;
  fn_error_string error_string;
} nvml;

static void *handles[MAX_HANDLES];
static unsigned int handle_count;
static struct answer answer;

/* The handle standing for `device` (the same pointer always gets the same one); 0 when full. */
static uint32_t handle_of(void *device) {
  for (unsigned int i = 0; i < handle_count; i++)
    if (handles[i] == device) return i + 1;
  if (handle_count == MAX_HANDLES) return 0;
  handles[handle_count++] = device;
  return handle_count;
}

/* Whether `handle` was given out (NVML's pointer itself may be anything, NULL included). */
static int known(uint32_t handle) {
  return handle >= 1 && handle <= handle_count;
}

/* CPU time this thread has used (µs). */
static uint64_t thread_cpu_us(void) {
  struct timespec now;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return (uint64_t)now.tv_sec * 1000000u + (uint64_t)now.tv_nsec / 1000u;
}

static void write_answer(uint32_t sequence, int rc) {
  answer.sequence = sequence;
  answer.rc = rc;
  memcpy(answer.bytes + answer.length, &sequence, sizeof sequence);
  size_t size = offsetof(struct answer, bytes) + answer.length + sizeof sequence;
  if (pwrite(EXCHANGE_FD, &answer, size, ANSWER_AT) != (ssize_t)size) _exit(3);
}

static void answer_text(const char *text) {
  size_t length = strlen(text);
  if (length > MAX_BYTES) length = MAX_BYTES;
  memcpy(answer.bytes, text, length);
  answer.length = (uint32_t)length;
}

/* Loads the library; LOAD_FAILED with the loader's words when it or a required function is missing. */
static int load(const char *path) {
  void *library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    const char *why = dlerror();
    answer_text(why ? why : "dlopen failed");
    return LOAD_FAILED;
  }
#define BIND(field, symbol) nvml.field = (__typeof__(nvml.field))dlsym(library, symbol)
  BIND(init, "nvmlInit_v2");
  BIND(shutdown, "nvmlShutdown");
  BIND(count, "nvmlDeviceGetCount_v2");
  BIND(by_index, "nvmlDeviceGetHandleByIndex_v2");
  BIND(by_uuid, "nvmlDeviceGetHandleByUUID");
  BIND(name, "nvmlDeviceGetName");
  BIND(uuid, "nvmlDeviceGetUUID");
  BIND(power, "nvmlDeviceGetPowerUsage");
  BIND(energy, "nvmlDeviceGetTotalEnergyConsumption");
  BIND(enforced_limit, "nvmlDeviceGetEnforcedPowerLimit");
  BIND(management_limit, "nvmlDeviceGetPowerManagementLimit");
  BIND(compute, "nvmlDeviceGetComputeRunningProcesses_v3");
  BIND(graphics, "nvmlDeviceGetGraphicsRunningProcesses_v3");
  BIND(is_mig, "nvmlDeviceIsMigDeviceHandle");
  BIND(mig_parent, "nvmlDeviceGetDeviceHandleFromMigDeviceHandle");
  BIND(max_mig, "nvmlDeviceGetMaxMigDeviceCount");
  BIND(mig_by_index, "nvmlDeviceGetMigDeviceHandleByIndex");
  BIND(driver_version, "nvmlSystemGetDriverVersion");
  BIND(nvml_version, "nvmlSystemGetNVMLVersion");
  BIND(error_string, "nvmlErrorString");
#undef BIND
  const char *missing = !nvml.init ? "nvmlInit_v2"
                        : !nvml.shutdown ? "nvmlShutdown"
                        : !nvml.count ? "nvmlDeviceGetCount_v2"
                        : !nvml.by_index ? "nvmlDeviceGetHandleByIndex_v2"
                                         : NULL;
  if (missing) {
    char why[128];
    snprintf(why, sizeof why, "Cannot find function '%s' in shared library", missing);
    answer_text(why);
    return LOAD_FAILED;
  }
  return nvml.init();
}

/* A process list: the entries' bytes (Node decodes them) and their count as the value. */
static int processes(fn_device_processes list, void *device) {
  unsigned int count = 0;
  int rc = list(device, &count, NULL);
  if (rc == NVML_SUCCESS) return rc;
  /* The list is live: retried a few times if it grew past the spare slots in between. */
  for (int attempt = 0; attempt < 3 && rc == NVML_ERROR_INSUFFICIENT_SIZE; attempt++) {
    unsigned int slots = count + SPARE_PROCESSES * (attempt + 1);
    if ((size_t)slots * PROCESS_INFO_STRIDE > MAX_BYTES) slots = MAX_BYTES / PROCESS_INFO_STRIDE;
    memset(answer.bytes, 0xff, (size_t)slots * PROCESS_INFO_STRIDE);
    unsigned int filled = slots;
    rc = list(device, &filled, answer.bytes);
    if (rc == NVML_SUCCESS) {
      answer.length = slots * PROCESS_INFO_STRIDE;
      answer.value = filled;
      return rc;
    }
    count = filled;
  }
  return rc;
}

/* A call that gives a device: its handle is the answer's value. */
static int device_answer(int rc, void *const *device) {
  if (rc == NVML_SUCCESS) answer.value = handle_of(*device);
  return rc;
}

/* Makes the call `request` asks for; its results go to `answer`. */
static int call(const struct request *request) {
  void *device = known(request->handle) ? handles[request->handle - 1] : NULL;
  unsigned int number = 0;
  unsigned long long big = 0;
  uint64_t cpu_before_us, cpu_us;
  void *found = NULL;
  char text[TEXT_BYTES] = {0};
  int rc;
#define NEEDS(fn) \
  if (!(fn)) return NVML_ERROR_FUNCTION_NOT_FOUND
#define NEEDS_DEVICE \
  if (!known(request->handle)) return NVML_ERROR_INVALID_ARGUMENT
  switch (request->operation) {
    case OP_COUNT:
      rc = nvml.count(&number);
      answer.value = number;
      return rc;
    case OP_HANDLE_BY_INDEX:
      rc = nvml.by_index(request->argument, &found);
      return device_answer(rc, &found);
    case OP_HANDLE_BY_UUID:
      NEEDS(nvml.by_uuid);
      rc = nvml.by_uuid(request->text, &found);
      return device_answer(rc, &found);
    case OP_NAME:
    case OP_UUID: {
      fn_device_bytes fn = request->operation == OP_NAME ? nvml.name : nvml.uuid;
      NEEDS(fn);
      NEEDS_DEVICE;
      rc = fn(device, text, 96);
      if (rc == NVML_SUCCESS) answer_text(text);
      return rc;
    }
    case OP_POWER:
    case OP_ENFORCED_LIMIT:
    case OP_MANAGEMENT_LIMIT:
    case OP_IS_MIG:
    case OP_MAX_MIG: {
      fn_device_uint fn = request->operation == OP_POWER             ? nvml.power
                          : request->operation == OP_ENFORCED_LIMIT  ? nvml.enforced_limit
                          : request->operation == OP_MANAGEMENT_LIMIT ? nvml.management_limit
                          : request->operation == OP_IS_MIG          ? nvml.is_mig
                                                                      : nvml.max_mig;
      NEEDS(fn);
      NEEDS_DEVICE;
      rc = fn(device, &number);
      answer.value = number;
      return rc;
    }
    case OP_ENERGY:
      NEEDS(nvml.energy);
      NEEDS_DEVICE;
      cpu_before_us = thread_cpu_us();
      rc = nvml.energy(device, &big);
      cpu_us = thread_cpu_us() - cpu_before_us;
      answer.call_us = cpu_us > UINT32_MAX ? UINT32_MAX : (uint32_t)cpu_us;
      answer.value = big;
      return rc;
    case OP_COMPUTE_PROCESSES:
    case OP_GRAPHICS_PROCESSES: {
      fn_device_processes fn = request->operation == OP_COMPUTE_PROCESSES ? nvml.compute : nvml.graphics;
      NEEDS(fn);
      NEEDS_DEVICE;
      return processes(fn, device);
    }
    case OP_MIG_PARENT:
      NEEDS(nvml.mig_parent);
      NEEDS_DEVICE;
      rc = nvml.mig_parent(device, &found);
      return device_answer(rc, &found);
    case OP_MIG_BY_INDEX:
      NEEDS(nvml.mig_by_index);
      NEEDS_DEVICE;
      rc = nvml.mig_by_index(device, request->argument, &found);
      return device_answer(rc, &found);
    case OP_DRIVER_VERSION:
    case OP_NVML_VERSION: {
      fn_bytes fn = request->operation == OP_DRIVER_VERSION ? nvml.driver_version : nvml.nvml_version;
      NEEDS(fn);
      rc = fn(text, 80);
      if (rc == NVML_SUCCESS) answer_text(text);
      return rc;
    }
    case OP_ERROR_STRING: {
      NEEDS(nvml.error_string);
      const char *words = nvml.error_string((int)request->argument);
      if (words) answer_text(words);
      return NVML_SUCCESS;
    }
    default:
      return NVML_ERROR_INVALID_ARGUMENT;
  }
#undef NEEDS
#undef NEEDS_DEVICE
}

int main(int argc, char **argv) {
  if (argc != 3) return 2;
  long parent = strtol(argv[1], NULL, 10);
  /*
   * It ends on the CLI's SHUTDOWN request, or with the CLI (SIGKILL from the kernel). The signals
   * that end the CLI's run do not end it: Ctrl-C or Ctrl-\ at a terminal (the whole foreground
   * group gets them), a hang-up, SLURM's SIGTERM to every process of a step. The CLI reads the
   * GPU's counter once more as it stops.
   */
  signal(SIGINT, SIG_IGN);
  signal(SIGQUIT, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  signal(SIGTERM, SIG_IGN);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != (pid_t)parent) return 0; /* The parent went before the line above. */
  /* Requests (SIGUSR1) are taken by sigwaitinfo, never by a handler. */
  sigset_t wanted;
  sigemptyset(&wanted);
  sigaddset(&wanted, SIGUSR1);
  sigprocmask(SIG_BLOCK, &wanted, NULL);

  int loaded = load(argv[2]);
  if (loaded != NVML_SUCCESS && loaded != LOAD_FAILED && nvml.error_string) {
    const char *words = nvml.error_string(loaded);
    if (words) answer_text(words);
  }
  write_answer(INIT_SEQUENCE, loaded);
  if (loaded != NVML_SUCCESS) return 0;

  uint32_t last = 0;
  for (;;) {
    if (sigwaitinfo(&wanted, NULL) != SIGUSR1) continue;
    struct request request;
    if (pread(EXCHANGE_FD, &request, sizeof request, REQUEST_AT) != (ssize_t)sizeof request) _exit(3);
    /* A second signal for a request already answered (signals may be merged, never lost). */
    if (request.sequence == last) continue;
    last = request.sequence;
    request.text[TEXT_BYTES - 1] = '\0';
    if (request.operation == OP_SHUTDOWN) break;
    answer.length = 0;
    answer.call_us = 0;
    answer.value = 0;
    write_answer(request.sequence, call(&request));
  }
  nvml.shutdown();
  return 0;
}
