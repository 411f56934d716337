/* Minimal JSON string output for the client's --json results. */
#include <stdio.h>

#include "cmd.h"

void
cli_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void
cli_json_string_or_null(FILE *f, const char *s)
{
	if (s != NULL)
		cli_json_string(f, s);
	else
		fputs("null", f);
}
