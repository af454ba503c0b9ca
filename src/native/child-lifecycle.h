/*
 * How carbontracker's helper programs (the sample recorder, the NVML proxy) end. SIGTERM, from
 * Node or from the kernel when the parent ends (PR_SET_PDEATHSIG), sets `stopping`, which their
 * loops check, so NVML is shut down as its documentation asks. A driver call may never return
 * (a lost GPU): SIGALRM's default action then ends the process 2 s later whatever it is doing.
 */
#ifndef CARBONTRACKER_CHILD_LIFECYCLE_H
#define CARBONTRACKER_CHILD_LIFECYCLE_H
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

static volatile sig_atomic_t stopping;

static void stop(int signal_number) {
  (void)signal_number;
  stopping = 1;
  alarm(2);
}

/* Ends this process with `parent` (see above); 0 when the parent has gone already. */
static int follow_parent(long parent) {
  struct sigaction on_term;
  memset(&on_term, 0, sizeof on_term);
  on_term.sa_handler = stop;
  sigaction(SIGTERM, &on_term, NULL);
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  return getppid() == (pid_t)parent; /* Else the parent went before the line above. */
}

#endif
