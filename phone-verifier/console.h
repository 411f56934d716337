/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What phone-verifier shows people: the console lines and status messages
 * of a boot (printed from boot.c's events), diagnostics on stderr, and the
 * JSON error object a command prints instead with --json.
 */
#ifndef PV_CONSOLE_H
#define PV_CONSOLE_H

#include <stdio.h>

#include "pv.h"

/* Where and how one run's events are printed. */
struct pv_console {
	FILE *f;
	int mac_prefix;      /* prefix every line with SEP<MAC> (fleets) */
	unsigned line_seq;   /* the NNN: of console lines */
	enum pv_form form;   /* 88xx: "NNNN NOT Mon DD hh:mm:ss.uuuuuu " and INF/DEB/WRN levels */
	int verbose;         /* print ctl-suite's notes (PV_EV_NOTE), "ctl-suite: " + message */
};

/*
 * A pv_event_fn (arg: a struct pv_console). Console lines as the 79xx
 * phones print them, "NNN: NOT HH:MM:SS.uuuuuu " + message ("ERR" for
 * error lines), or in the 88xx form "NNNN NOT Mon DD HH:MM:SS.uuuuuu " +
 * message (levels NOT, ERR, INF, DEB, WRN); status messages as "HH:MM:SS " +
 * message; ctl-suite's notes as "ctl-suite: " + message, only when verbose
 * (a note of ctl-suite's own failure always). The message is printed as is:
 * boot.c builds it from escaped parts.
 */
void pv_console_event(void *arg, const struct pv_phone *ph, const struct pv_event *ev);

/* A diagnostic on stderr, "phone-verifier: " prefix, whatever the output mode. */
void pv_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Reports why a command fails with exit status: on stderr like pv_err, or
 * with --json (pv_json_errors) as one JSON error object on stdout whose
 * code names the status ("usage", "io", "network", ...). Returns status.
 */
int pv_fail(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The error code pv_fail gives for an exit status. */
const char *pv_fail_code(int status);

/*
 * Whether failures of this run print as JSON: set once per run by the
 * command, before it parses its options (pv_argv_json), so that an error
 * in an option written before --json is JSON too.
 */
void pv_json_errors(int on);
/* Whether argv (a command's arguments) asks for --json (or an abbreviation getopt takes). */
int pv_argv_json(int argc, char **argv);

#endif
