/*
 * Crash points, for crash tests: with STOCKBRIDGE_CRASH_AT=name:N in its environment, a
 * process kills itself with SIGKILL - no clean-up, no flush, as a power cut or the OOM
 * killer would - the Nth time it passes the point called `name`. SQLite's crash tests
 * stop a process at chosen moments the same way. The points sit where a kill is the
 * hardest case: inside a migration's transaction, inside a batch of applied events before
 * its commit. Without the variable a point costs one load and a branch.
 */
#ifndef SB_CRASHPOINT_H
#define SB_CRASHPOINT_H

void sb_crashpoint(const char *name);

#endif
