/* Helpers shared by the unit tests (see testutil.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ctl/ctl.h>

#include "testutil.h"

const char *
tu_pki_dir(void)
{
	const char *d = getenv("CTL_FIXTURES");

	return d != NULL && d[0] != '\0' ? d : "build/pki";
}

const char *
tu_pki(const char *name)
{
	static char ring[8][512];
	static unsigned next;
	char *out = ring[next++ % 8];
	int n = snprintf(out, sizeof(ring[0]), "%s/%s", tu_pki_dir(), name);

	ck_assert(n > 0 && (size_t)n < sizeof(ring[0]));
	return out;
}

const char *
tu_sample_path(void)
{
	const char *p = getenv("CTL_SAMPLE");

	return p != NULL && p[0] != '\0' ? p :
	    "../shared/samples/csptechnologies_ciscoprovsionerweb_ITLFile.tlv";
}

uint8_t *
tu_read(const char *path, size_t *len)
{
	uint8_t *buf = NULL;
	struct ctl_diag d;
	enum ctl_err r = ctl_read_file(path, CTL_MAX_FILE, &buf, len, &d);

	ck_assert_msg(r == CTL_OK, "cannot read %s: %s", path, d.msg);
	return buf;
}

const char *
tu_tmpdir(void)
{
	static char dir[256];
	const char *base = getenv("TMPDIR");
	int n = snprintf(dir, sizeof(dir), "%s/ctltest.XXXXXX", base ? base : "/tmp");

	ck_assert(n > 0 && (size_t)n < sizeof(dir));
	ck_assert(mkdtemp(dir) != NULL);
	return dir;
}
