/* SPDX-License-Identifier: Apache-2.0 */
/* Per-device trust list resolution (see tftp_resolve.h). */
#include <stdio.h>

#include "tftp_log.h"
#include "tftp_resolve.h"

/* A looked-up file that may not be served: dropped, as if it were not there. */
static void
drop(struct tftp_file **out)
{
	tftp_file_unref(*out);
	*out = NULL;
}

enum tftp_cache_err
tftp_resolve(struct tftp_cache *c, const char *name, const char *from, struct tftp_file **out,
             char served[TFTP_NAME_MAX + 1])
{
	char *canon = served, mac[13];
	const char *cluster;
	const char *tag;
	enum tftp_dev_kind kind = tftp_map_device(name, canon, TFTP_NAME_MAX + 1, mac, &cluster);
	enum tftp_cache_err e;

	*out = NULL;
	if (kind == TFTP_DEV_NONE) {
		snprintf(served, TFTP_NAME_MAX + 1, "%s", name);
		return tftp_cache_get(c, name, out, NULL);
	}
	tag = kind == TFTP_DEV_CTL ? "HandleCTL" : "HandleITL";
	tftp_log(TFTP_LOG_INFO, "%s: [%s] is %sSEPMac.tlv file, Searching[%s] for %s", tag, name,
	         kind == TFTP_DEV_CTL ? "CTL" : "ITL", mac, from);
	e = tftp_cache_get(c, canon, out, NULL);
	if (e == TFTP_C_OK && (*out)->size > 0) {
		tftp_log(TFTP_LOG_INFO, "%s: found per-device file [%s]", tag, canon);
		return e;
	}
	if (e == TFTP_C_OK)
		drop(out);
	else if (e != TFTP_C_NOTFOUND)
		return e; /* served already names the per-device file */
	tftp_log(TFTP_LOG_INFO, "%s: no per-device file [%s], serving [%s]", tag, canon, cluster);
	snprintf(served, TFTP_NAME_MAX + 1, "%s", cluster);
	e = tftp_cache_get(c, cluster, out, NULL);
	if (e == TFTP_C_OK && (*out)->size == 0) {
		/* An empty trust list is never served (CUCM leaks on those; phones choke). */
		drop(out);
		e = TFTP_C_NOTFOUND;
	}
	return e;
}
