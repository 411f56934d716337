/* SPDX-License-Identifier: Apache-2.0 */
/*
 * This node's ITLFile.tlv (doc/sbd.md): the records come from libctl's
 * ctl_itl_builder (one place decides them, for the node, the planner and
 * the tests); this file picks the signer, installs the file atomically in
 * the TFTP root (ctl-tftpd notices the rename through inotify and serves
 * the new bytes, ITLSEP<MAC>.tlv included) and logs what it did.
 *
 * Signers: the 12.x layout signs with ITLRecovery, the 8.x layout with the
 * node's CallManager key. A reset ITL (ITL_RESET) holds only its signer:
 * localkey signs with CallManager in the 12.x layout (CUCM 12.x) and with
 * ITLRecovery in the 8.x layout (10.x/11.x); remotekey with the remote
 * ITLRecovery pair.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "provider.h"

/* The signer for the current state, or NULL with the reason in msg. */
static const struct ctl_signer *
pick_signer(const struct prov_sbd *s, const char **what, char *msg, size_t msglen)
{
	const struct prov_identity *id = s->id;
	int layout12 = s->cfg->itl_layout == CTL_ITL_12X;
	const struct ctl_signer *sg = NULL;

	switch (s->reset) {
	case 0:
	case 1:
		/* The normal 12.x ITL and the 8.x reset ITL: ITLRecovery. */
		if ((layout12 && s->reset == 0) || (!layout12 && s->reset == 1)) {
			*what = "ITLRecovery";
			sg = id->rec_signer;
		} else {
			*what = "CallManager";
			sg = id->cm_signer;
		}
		break;
	default:
		*what = "remote ITLRecovery";
		sg = id->remote_signer;
		break;
	}
	if (sg == NULL)
		snprintf(msg, msglen, "no %s key on this node (%s)", *what,
		         s->reset == 2 ? "itlrecovery_remote_key" :
		         strcmp(*what, "ITLRecovery") == 0 ? "itlrecovery_key" : "callmanager_key");
	return sg;
}

/* The TVS records: this node's, then each tvs_peer. */
static size_t
tvs_list(const struct prov_sbd *s, struct ctl_sbd_cert *tvs)
{
	const struct prov_config *cfg = s->cfg;
	size_t n = 0, i;

	if (s->id->tvs != NULL)
		tvs[n++] = (struct ctl_sbd_cert){ s->id->tvs, cfg->hostname, cfg->ipv4 };
	for (i = 0; i < s->id->npeers; i++)
		tvs[n++] = (struct ctl_sbd_cert){ s->id->peers[i], cfg->peers[i].dns,
		                                  cfg->peers[i].ipv4 };
	return n;
}

/* A builder holding the records for the current state. */
static CTL_MUST_USE enum ctl_err
make_builder(const struct prov_sbd *s, const struct ctl_signer *sg, struct ctl_builder **b,
             struct ctl_diag *d)
{
	const struct prov_config *cfg = s->cfg;
	struct ctl_sbd_cert tvs[PROV_MAX_PEERS + 1], capf;
	struct ctl_itl_spec spec;
	enum ctl_err r;

	if (s->reset != 0)
		r = ctl_itl_reset_builder(sg->cert, b, d);
	else {
		memset(&spec, 0, sizeof(spec));
		spec.layout = (enum ctl_itl_layout)cfg->itl_layout;
		spec.mixed = prov_store_mode(s->store) == 1;
		spec.callmanager = (struct ctl_sbd_cert){ s->id->callmanager, cfg->hostname, cfg->ipv4 };
		spec.itlrecovery = (struct ctl_sbd_cert){ s->id->recovery, NULL, NULL };
		spec.tvs = tvs;
		spec.ntvs = tvs_list(s, tvs);
		if (s->id->capf != NULL) {
			capf = (struct ctl_sbd_cert){ s->id->capf, cfg->hostname, cfg->ipv4 };
			spec.capf = &capf;
		}
		spec.rollback = (int)cfg->itl_rollback;
		spec.digest = (enum ctl_digest)cfg->itl_digest;
		r = ctl_itl_builder(&spec, b, d);
	}
	if (r == CTL_OK)
		r = ctl_builder_set_digest(*b, (enum ctl_digest)cfg->itl_digest);
	return r;
}

uint16_t
prov_itl_rebuild_locked(struct prov_sbd *s, const char *why, char *msg, size_t msglen)
{
	const struct ctl_signer *sg;
	struct ctl_builder *b = NULL;
	struct ctl_sums sums;
	struct ctl_diag d;
	const char *what = "";
	uint8_t *out = NULL;
	size_t len = 0, nrec;
	uint16_t st = CTL_PROV_OK;

	if (!s->ready || !s->cfg->itl)
		return CTL_PROV_OK;
	if ((sg = pick_signer(s, &what, msg, msglen)) == NULL) {
		prov_logp(LOG_ERR, "ITL not rebuilt (%s): %s; %s unchanged", why, msg, s->itl_path);
		return CTL_PROV_UNSUPPORTED;
	}
	if (make_builder(s, sg, &b, &d) != CTL_OK || ctl_builder_sign(b, sg, &out, &len, &d) != CTL_OK) {
		snprintf(msg, msglen, "cannot build the ITL: %s", d.msg);
		st = CTL_PROV_INTERNAL;
		goto out;
	}
	nrec = ctl_builder_nrecords(b);
	if (ctl_write_atomic(s->itl_path, out, len, 0644, &d) != CTL_OK) {
		snprintf(msg, msglen, "%s; the served ITL is unchanged", d.msg);
		st = CTL_PROV_IO;
		goto out;
	}
	if (ctl_checksums(out, len, &sums) != CTL_OK)
		snprintf(sums.md5, sizeof(sums.md5), "?");
	snprintf(msg, msglen, "%s", sums.md5);
	prov_log("%s %s (%s): %zu records, %zu bytes, md5 %s, signed by %s (%s layout%s)",
	         s->reset != 0 ? "reset ITL installed as" : "ITL installed as", s->itl_path, why,
	         nrec, len, sums.md5, what, s->cfg->itl_layout == CTL_ITL_12X ? "12.x" : "8.x",
	         s->cfg->itl_rollback && s->reset == 0 ? ", rollback" : "");
	/* CUCM security guide: phones cannot load an ITL past 64 KB. */
	if (len > CTL_ITL_PHONE_MAX)
		prov_logp(LOG_WARNING, "warning: %s is %zu bytes, more than the %u phones can load; list fewer "
		         "TVS certificates (tvs_peer)", s->itl_path, len, CTL_ITL_PHONE_MAX);
out:
	if (st != CTL_PROV_OK)
		prov_logp(LOG_ERR, "ITL not rebuilt (%s): %s", why, msg);
	free(out);
	ctl_builder_free(b);
	return st;
}

uint16_t
prov_itl_rebuild(struct prov_sbd *s, const char *why, char *msg, size_t msglen)
{
	uint16_t st;

	if (!s->ready || !s->cfg->itl)
		return CTL_PROV_OK;
	pthread_mutex_lock(&s->lock);
	st = prov_itl_rebuild_locked(s, why, msg, msglen);
	pthread_mutex_unlock(&s->lock);
	return st;
}
