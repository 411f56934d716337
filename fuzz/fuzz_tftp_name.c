/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: a requested file name through validation, the
 * per-device CTLSEP/ITLSEP mapping and log escaping. A name that passes
 * validation must be relative and free of "." and ".." components.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ctl/text.h"
#include "tftp_map.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char name[TFTP_NAME_MAX + 1], canon[32], mac[13], esc[300];
	const char *cluster;

	(void)ctl_text_escape(esc, sizeof(esc), data, size);
	if (tftp_name_check((const char *)data, size, name, sizeof(name)) != TFTP_N_OK)
		return 0;
	if (name[0] == '/' || strcmp(name, "..") == 0 || strncmp(name, "../", 3) == 0 ||
	    strstr(name, "/../") != NULL || strstr(name, "//") != NULL || strchr(name, '\\') != NULL)
		__builtin_trap();
	(void)tftp_map_device(name, canon, sizeof(canon), mac, &cluster);
	return 0;
}
