/*
 * Runs a command and writes what the kernel counted for it, for the start-up bench:
 *   rusage-run OUT_FILE COMMAND [ARGS...]
 * OUT_FILE gets one JSON line: launch_ns (CLOCK_REALTIME just before fork), utime_us, stime_us
 * and maxrss_kb (wait4's rusage of the command, its waited-for children included) and its
 * wait status. The command's stdio is this program's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: rusage-run OUT_FILE COMMAND [ARGS...]\n");
    return 2;
  }
  struct timespec launch;
  clock_gettime(CLOCK_REALTIME, &launch);
  pid_t pid = fork();
  if (pid < 0) return 2;
  if (pid == 0) {
    execvp(argv[2], argv + 2);
    _exit(127);
  }
  int status = 0;
  struct rusage usage;
  if (wait4(pid, &status, 0, &usage) < 0) return 2;
  FILE *out = fopen(argv[1], "w");
  if (!out) return 2;
  fprintf(out,
          "{\"launch_ns\":%lld,\"utime_us\":%lld,\"stime_us\":%lld,\"maxrss_kb\":%ld,\"status\":%d}\n",
          (long long)launch.tv_sec * 1000000000LL + launch.tv_nsec,
          (long long)usage.ru_utime.tv_sec * 1000000LL + usage.ru_utime.tv_usec,
          (long long)usage.ru_stime.tv_sec * 1000000LL + usage.ru_stime.tv_usec, usage.ru_maxrss, status);
  fclose(out);
  return 0;
}
