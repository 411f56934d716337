/* SPDX-License-Identifier: Apache-2.0 */
/* The TFTP options boot, fleet and compare share (see netopt.h). */
#include <getopt.h>
#include <string.h>

#include "console.h"
#include "netopt.h"
#include "num.h"

void
pv_net_defaults(struct pv_env_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->blksize = 1468; /* an Ethernet frame's worth, what ctl-tftpd caps at by default */
	cfg->timeout_ms = 1000;
	cfg->retries = 5;
	cfg->seed = 1;
}

int
pv_net_opt(struct pv_env_cfg *cfg, int c, const char *arg)
{
	unsigned long long v;

	switch (c) {
	case PV_O_TFTP:
		cfg->tftp = arg;
		return 1;
	case PV_O_BLKSIZE:
		if (pv_num("--blksize", arg, 0, TFTP_BLKSIZE_MAX, &v) != 0)
			return -1;
		if (v != 0 && v < TFTP_BLKSIZE_MIN) {
			pv_fail(PV_EXIT_USAGE, "--blksize takes 0 or %d to %d", TFTP_BLKSIZE_MIN, TFTP_BLKSIZE_MAX);
			return -1;
		}
		cfg->blksize = (unsigned)v;
		return 1;
	case PV_O_WINDOWSIZE:
		if (pv_num("--windowsize", arg, 1, 64, &v) != 0)
			return -1;
		cfg->windowsize = (unsigned)v;
		return 1;
	case PV_O_TIMEOUT:
		if (pv_num("--timeout", arg, 10, 60000, &v) != 0)
			return -1;
		cfg->timeout_ms = (unsigned)v;
		return 1;
	case PV_O_RETRANSMIT:
		/* Phones resend about every second; 0 leaves recovery to the server. */
		if (pv_num("--retransmit", arg, 0, 60000, &v) != 0)
			return -1;
		if (v != 0 && v < 10) {
			pv_fail(PV_EXIT_USAGE, "--retransmit takes 0 or 10 to 60000");
			return -1;
		}
		cfg->no_resend = v == 0;
		if (v != 0)
			cfg->timeout_ms = (unsigned)v;
		return 1;
	case PV_O_RETRIES:
		if (pv_num("--retries", arg, 0, 100, &v) != 0)
			return -1;
		cfg->retries = (unsigned)v;
		return 1;
	case PV_O_LOSS:
		if (pv_num("--loss", arg, 0, 90, &v) != 0)
			return -1;
		cfg->loss_pct = (unsigned)v;
		return 1;
	case PV_O_SEED:
		if (pv_num("--seed", arg, 0, UINT64_MAX, &v) != 0)
			return -1;
		cfg->seed = v;
		return 1;
	default:
		return 0;
	}
}

int
pv_http_opt(unsigned *port, int c, const char *arg)
{
	unsigned long long v;

	if (c != PV_O_HTTP_PORT)
		return 0;
	if (pv_num("--http-port", arg, 1, 65535, &v) != 0)
		return -1;
	*port = (unsigned)v;
	return 1;
}

unsigned
pv_net_deadline_ms(const struct pv_env_cfg *cfg)
{
	unsigned long long ms = (unsigned long long)cfg->timeout_ms * (cfg->retries + 1ull);

	return ms > 600000 ? 600000u : ms == 0 ? 1000u : (unsigned)ms;
}
