/*
 * The machine's floor for a sampler, for the steady bench: a C loop that sleeps 1 s and reads
 * the first 1024 bytes of /proc/stat with one pread, for ever. What it costs per second is what
 * one wake-up a second costs on this machine, with no runtime at all.
 *
 * An optional argument, N, first makes N MB of memory resident (written once, never touched
 * again). On some virtual machines a wake-up costs in proportion to the memory a process holds
 * (this project's 2-core build VM: 0.07 ms with 2 MB, 0.54 ms with 40 MB, 2.35 ms with 200 MB),
 * so the floor of a process the size of bare Node is shown beside the bare one.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
  size_t bytes = argc > 1 ? (size_t)atoi(argv[1]) << 20 : 0;
  if (bytes > 0) {
    volatile char *held = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (held == MAP_FAILED) return 4;
    for (size_t i = 0; i < bytes; i += 4096) held[i] = 1;
  }
  int fd = open("/proc/stat", O_RDONLY);
  if (fd < 0) return 2;
  char buffer[1024];
  const struct timespec second = {1, 0};
  for (;;) {
    nanosleep(&second, NULL);
    if (pread(fd, buffer, sizeof buffer, 0) < 0) return 3;
  }
}
