/* SPDX-License-Identifier: Apache-2.0 */
/*
 * optdump.so: how the completion generator reads a tool's option table.
 * Preloaded (LD_PRELOAD) into a built tool with CTL_OPTDUMP=1 in the
 * environment, it stands in for getopt_long and getopt_long_only: the
 * first call prints the struct option array the tool passed, one
 * "NAME ARG VAL" line per entry (ARG: none, required or optional; VAL the
 * value getopt_long returns for it, 0 when it sets a flag instead), then
 * "-short OPTSTRING" when the call names short options, and ends the
 * process with status 0 before any option is acted on.
 *
 * Why this way: the struct option arrays are the one source of truth. The
 * tools need no hidden option (nothing to keep out of --help and the man
 * pages), and a new option or a new getopt_long call cannot be missed,
 * because every table reaches getopt_long at run time, also tables built
 * at run time (ctl-client's cluster commands assemble theirs per command).
 * Without CTL_OPTDUMP the calls go to the C library unchanged.
 */
#include <dlfcn.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

typedef int (*getopt_fn)(int, char *const *, const char *, const struct option *, int *);

static void
dump_and_exit(const char *optstring, const struct option *lo)
{
	static const char *const kinds[] = { "none", "required", "optional" };

	for (; lo != NULL && lo->name != NULL; lo++)
		printf("%s %s %d\n", lo->name,
		       lo->has_arg >= 0 && lo->has_arg <= 2 ? kinds[lo->has_arg] : "required",
		       lo->flag == NULL ? lo->val : 0);
	if (optstring != NULL && optstring[0] != '\0')
		printf("-short %s\n", optstring);
	/* _exit: the tool's own exit handlers belong to a run that never happened. */
	_exit(fflush(stdout) == 0 ? 0 : 1);
}

static int
forward(const char *name, int argc, char *const *argv, const char *optstring,
        const struct option *lo, int *idx)
{
	getopt_fn real;

	if (getenv("CTL_OPTDUMP") != NULL)
		dump_and_exit(optstring, lo);
	real = (getopt_fn)(void (*)(void))dlsym(RTLD_NEXT, name);
	if (real == NULL) {
		fprintf(stderr, "optdump: %s not found in the C library\n", name);
		_exit(127);
	}
	return real(argc, argv, optstring, lo, idx);
}

int
getopt_long(int argc, char *const *argv, const char *optstring, const struct option *lo, int *idx)
{
	return forward("getopt_long", argc, argv, optstring, lo, idx);
}

int
getopt_long_only(int argc, char *const *argv, const char *optstring, const struct option *lo,
                 int *idx)
{
	return forward("getopt_long_only", argc, argv, optstring, lo, idx);
}
