/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Which file a request is served: the per-device trust list when there is
 * one, else the cluster's, as CUCM resolves CTLSEP<MAC>.tlv and
 * ITLSEP<MAC>.tlv. Other names are looked up as they are.
 */
#ifndef TFTP_RESOLVE_H
#define TFTP_RESOLVE_H

#include "ctl/err.h"
#include "tftp_cache.h"
#include "tftp_map.h"

/*
 * Looks up the validated name for the client from (used in the log
 * lines). CTLSEP<MAC>.tlv is the per-device file when it exists and is
 * not empty, else CTLFile.tlv; the same for ITLSEP/ITLFile; an empty
 * cluster file counts as not found (it is never served). On TFTP_C_OK *out
 * holds a reference (release with tftp_file_unref()). served receives the
 * name actually looked up last, for the log, whatever the outcome.
 */
CTL_MUST_USE enum tftp_cache_err tftp_resolve(struct tftp_cache *c, const char *name, const char *from,
                                              struct tftp_file **out, char served[TFTP_NAME_MAX + 1]);

#endif
