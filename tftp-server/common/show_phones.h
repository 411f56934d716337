/* SPDX-License-Identifier: Apache-2.0 */
/*
 * show-ctl --phones: the rollout of the node's CTL and ITL from
 * ctl-tftpd's state file (rollout_file.h) against the files in the
 * TFTP root now.
 */
#ifndef CTL_SHOW_PHONES_H
#define CTL_SHOW_PHONES_H

struct show_phones_args {
	const char *prog;
	const char *state;     /* --rollout-state FILE */
	const char *root;      /* --root DIR: CTLFile.tlv and ITLFile.tlv */
	int json;
	int stale;             /* list devices whose CTL or ITL is not the current one */
	const char *version;   /* list devices holding this md5 (32 hex digits); NULL */
};

#define SHOW_PHONES_STATE_DEFAULT "/var/lib/ctl-suite/rollout.state"

/* Prints the summary (or the list asked for); returns the exit status. */
int show_phones(const struct show_phones_args *a);

#endif
