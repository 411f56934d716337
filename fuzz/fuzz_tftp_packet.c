/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: one datagram through the TFTP codec as the server and
 * the client read it: tftp_parse(), then for requests and OACKs the option
 * reader, the server's negotiation and OACK builder, and the client's OACK
 * check; every packet kind is rebuilt from what was parsed.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tftp_codec.h"
#include "tftp_opts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct tftp_limits lim = { 1468, 64, 0 };
	struct tftp_pkt p;
	struct tftp_optreq req;
	struct tftp_neg neg, cneg;
	uint8_t out[TFTP_HDR + TFTP_BLKSIZE_MAX];
	size_t n;

	if (tftp_parse(data, size, TFTP_BLKSIZE_MAX, &p) != TFTP_P_OK)
		return 0;
	switch (p.op) {
	case TFTP_RRQ:
	case TFTP_WRQ:
	case TFTP_OACK:
		if (tftp_opts_read(&p.opts, &req) != TFTP_P_OK)
			return 0;
		tftp_opts_negotiate(&req, &lim, p.mode, size, &neg);
		if (tftp_opts_build_oack(&neg, out, sizeof(out), &n) != 0)
			__builtin_trap();
		(void)tftp_opts_check_oack(&req, &req, &cneg);
		if (p.op != TFTP_OACK && p.file_len < 256) {
			char file[256];

			memcpy(file, p.file, p.file_len);
			file[p.file_len] = '\0';
			(void)tftp_build_req(out, sizeof(out), p.op, file, tftp_mode_str(p.mode), p.opts.opt,
			                     p.opts.n, &n);
		}
		break;
	case TFTP_DATA:
		if (tftp_build_data(out, sizeof(out), p.block, p.data, p.data_len, &n) != 0 || n != size ||
		    memcmp(out, data, n) != 0)
			__builtin_trap();
		break;
	case TFTP_ACK:
		(void)tftp_build_ack(out, sizeof(out), p.block, &n);
		break;
	case TFTP_ERROR:
		(void)tftp_build_error(out, sizeof(out), p.ecode, p.emsg, &n);
		break;
	}
	return 0;
}
