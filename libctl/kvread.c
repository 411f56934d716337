/* SPDX-License-Identifier: Apache-2.0 */
/* The "key = value" line reader (ctl/kvread.h). */
#include <string.h>

#include <ctl/err.h>
#include <ctl/kvread.h>

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

int
ctl_kv_open(struct ctl_kv_reader *r, const char *path)
{
	memset(r, 0, sizeof(*r));
	return (r->fp = fopen(path, "r")) != NULL ? 0 : -1;
}

enum ctl_kv
ctl_kv_next(struct ctl_kv_reader *r, char **key, char **val)
{
	while (fgets(r->buf, sizeof(r->buf), r->fp) != NULL) {
		size_t n = strlen(r->buf);
		char *s, *eq;

		r->line++;
		/* A full buffer without its newline: the line goes on. */
		if (n == sizeof(r->buf) - 1 && r->buf[n - 1] != '\n')
			return CTL_KV_TOO_LONG;
		s = trim(r->buf);
		if (*s == '\0' || *s == '#')
			continue;
		if ((eq = strchr(s, '=')) == NULL)
			return CTL_KV_NO_EQUALS;
		*eq = '\0';
		*key = trim(s);
		*val = trim(eq + 1);
		return CTL_KV_PAIR;
	}
	return CTL_KV_END;
}

void
ctl_kv_close(struct ctl_kv_reader *r)
{
	if (r->fp != NULL)
		fclose(r->fp);
	r->fp = NULL;
}
