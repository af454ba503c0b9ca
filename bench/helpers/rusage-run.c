/*
 * Runs a command and writes what the kernel counted for it, for the start-up bench:
 *   rusage-run OUT_FILE COMMAND [ARGS...]
 * OUT_FILE gets one JSON line: launch_ns (CLOCK_REALTIME just before fork), utime_us and stime_us
 * (the command's and every process it started, helpers it left to end after it included: this
 * program is their subreaper and waits up to 5 s for them), maxrss_kb (wait4's rusage of the
 * command, its waited-for children included) and its wait status. The command's stdio is this
 * program's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Waits for the descendants the command left behind (reparented here), 5 s at most. */
static void reap_orphans(void) {
  for (int tries = 0; tries < 500; tries++) {
    pid_t ended = waitpid(-1, NULL, WNOHANG);
    if (ended < 0) return; /* none left */
    if (ended == 0) usleep(10000);
  }
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: rusage-run OUT_FILE COMMAND [ARGS...]\n");
    return 2;
  }
  prctl(PR_SET_CHILD_SUBREAPER, 1);
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
  reap_orphans();
  struct rusage all;
  getrusage(RUSAGE_CHILDREN, &all);
  FILE *out = fopen(argv[1], "w");
  if (!out) return 2;
  fprintf(out,
          "{\"launch_ns\":%lld,\"utime_us\":%lld,\"stime_us\":%lld,\"maxrss_kb\":%ld,\"status\":%d}\n",
          (long long)launch.tv_sec * 1000000000LL + launch.tv_nsec,
          (long long)all.ru_utime.tv_sec * 1000000LL + all.ru_utime.tv_usec,
          (long long)all.ru_stime.tv_sec * 1000000LL + all.ru_stime.tv_usec, usage.ru_maxrss, status);
  fclose(out);
  return 0;
}
