/* SPDX-License-Identifier: Apache-2.0 */
/* The TFTP options boot, fleet and compare share: getopt_long rows, help text, parsing. */
#ifndef PV_NETOPT_H
#define PV_NETOPT_H

#include "pv.h"

/* Options shared by boot, fleet and compare (getopt_long codes and table rows). */
enum {
	PV_O_TFTP = 300, PV_O_BLKSIZE, PV_O_WINDOWSIZE, PV_O_TIMEOUT, PV_O_RETRIES, PV_O_LOSS,
	PV_O_SEED, PV_O_RETRANSMIT
};
#define PV_NET_OPTIONS                                                         \
	{ "tftp", required_argument, NULL, PV_O_TFTP },                        \
	{ "blksize", required_argument, NULL, PV_O_BLKSIZE },                  \
	{ "windowsize", required_argument, NULL, PV_O_WINDOWSIZE },            \
	{ "timeout", required_argument, NULL, PV_O_TIMEOUT },                  \
	{ "retries", required_argument, NULL, PV_O_RETRIES },                  \
	{ "loss", required_argument, NULL, PV_O_LOSS },                        \
	{ "seed", required_argument, NULL, PV_O_SEED },                        \
	{ "retransmit", required_argument, NULL, PV_O_RETRANSMIT }
#define PV_NET_HELP                                                            \
	"  --tftp HOST[:PORT]  TFTP server (port 69 by default)\n"             \
	"  --blksize N         blksize option asked for, 8..65464 (default 1468; 0: no options)\n" \
	"  --windowsize N      windowsize option, 1..64 (default: not asked)\n" \
	"  --timeout MS        retransmission timeout (default 1000)\n"        \
	"  --retransmit MS     resend an unanswered request every MS (same as --timeout);\n" \
	"                      0: never resend, wait --timeout x (--retries + 1) per answer\n" \
	"  --retries N         retransmissions per packet before giving up (default 5)\n" \
	"  --loss PCT          drop this percentage of received DATA packets (0..90)\n" \
	"  --seed N            seed of the loss simulation (default 1)\n"
/* --http-port (boot and fleet): HTTP first for the 88xx family (http_get.h). */
enum { PV_O_HTTP_PORT = 340 };
#define PV_HTTP_OPTIONS { "http-port", required_argument, NULL, PV_O_HTTP_PORT }
#define PV_HTTP_HELP                                                           \
	"  --http-port PORT    an 88xx-family phone asks each file over HTTP on the TFTP\n" \
	"                      server's address and PORT first (CUCM: 6970), then over TFTP\n" \
	"                      when that fails; a 79xx phone ignores it (default: TFTP only)\n"
/* Applies --http-port to *port: 1 handled, 0 not it, -1 bad value (reported, pv_fail). */
CTL_MUST_USE int pv_http_opt(unsigned *port, int c, const char *arg);
/* An HTTP exchange's deadline: as long as TFTP waits before giving up, --timeout x (--retries + 1). */
unsigned pv_net_deadline_ms(const struct pv_env_cfg *cfg);
/* Sets defaults in cfg. */
void pv_net_defaults(struct pv_env_cfg *cfg);
/* Applies a shared option: 1 handled, 0 not a shared option, -1 bad value (reported, pv_fail). */
CTL_MUST_USE int pv_net_opt(struct pv_env_cfg *cfg, int c, const char *arg);
#endif
