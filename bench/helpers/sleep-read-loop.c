/*
 * The machine's floor for a sampler, for the steady bench: a C loop that sleeps 1 s and reads
 * the first 1024 bytes of /proc/stat with one pread, for ever. What it costs per second is what
 * one wake-up a second costs on this machine, with no runtime at all.
 */
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

int main(void) {
  int fd = open("/proc/stat", O_RDONLY);
  if (fd < 0) return 2;
  char buffer[1024];
  const struct timespec second = {1, 0};
  for (;;) {
    nanosleep(&second, NULL);
    if (pread(fd, buffer, sizeof buffer, 0) < 0) return 3;
  }
}
