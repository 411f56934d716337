/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A library user outside the tree: built by packaging.sh and deb.sh with
 * nothing but pkg-config's flags against an installed libctlsuite, it
 * parses one file and prints the version, the kind and the record count.
 */
#include <stdio.h>

#include <ctl/ctl.h>

int
main(int argc, char **argv)
{
	struct ctl_file *f;
	struct ctl_diag d;

	if (argc != 2)
		return 2;
	if (ctl_file_load(argv[1], 0, &f, &d) != CTL_OK) {
		printf("error: %s\n", d.msg);
		return 1;
	}
	printf("%s %s records=%zu\n", CTL_VERSION_STRING,
	       ctl_file_kind(f) == CTL_KIND_ITL ? "ITL" : "other", ctl_file_nrecords(f));
	ctl_file_free(f);
	return 0;
}
