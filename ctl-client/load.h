/* SPDX-License-Identifier: Apache-2.0 */
/* Loading and verifying a file for show/verify: shared by both commands. */
#ifndef CTL_CLIENT_LOAD_H
#define CTL_CLIENT_LOAD_H

#include <time.h>

#include <ctl/ctl.h>

struct verdict {
	struct ctl_file *file;
	struct ctl_file *trusted;
	struct ctl_verify_result res;
	time_t mtime;
	int unverifiable; /* a .sgn file without a trust list to check it against */
};

/*
 * Loads path (and trusted_path when not NULL) and verifies: against the
 * file's own signer, or against trusted. Parse and I/O errors are printed
 * and returned as an exit status; a failed signature is left in v->res.
 */
CTL_MUST_USE int load_and_verify(const char *path, const char *trusted_path, unsigned flags, struct verdict *v);
/* Prints the show-ctl listing (or JSON) of v->file to stdout. */
CTL_MUST_USE int print_listing(const struct verdict *v, const char *path, int json);
void verdict_cleanup(struct verdict *v);

#endif
