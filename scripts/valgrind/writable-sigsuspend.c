/*
 * Lets a Swift service run under valgrind: preloaded into the service (LD_PRELOAD) by scripts/bench.
 *
 * An async `main` parks the main thread in libdispatch's `dispatch_main`, which ends in
 * `sigsuspend(&mask)` with `mask` a `static const` in libdispatch's read-only data. valgrind's wrapper of
 * rt_sigsuspend edits the mask it is given in place (it takes its own signals out), so it faults writing to that
 * page and stops with "Valgrind received a signal 11" (valgrind 3.19, 3.24 and 3.27.1 alike). This `sigsuspend`
 * hands the kernel a writable copy of the same mask: what the process waits for does not change.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

int sigsuspend(const sigset_t *mask) {
    sigset_t copy = *mask;
    return (int)syscall(SYS_rt_sigsuspend, &copy, _NSIG / 8);
}
