/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: an HTTP request stream through ctl-tftpd's request
 * head parser, head after head as a pipelining connection does. A head
 * accepted must lie inside the input, its decoded path must start with '/'
 * and hold no NUL, and a refusal must map to a 4xx/5xx status.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "http_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off = 0;

	while (off < size) {
		struct http_req rq;
		size_t n = size - off > HTTP_HEAD_MAX ? HTTP_HEAD_MAX : size - off;
		enum http_perr e = http_parse(data + off, n, &rq);

		if (e == HTTP_P_INCOMPLETE)
			break;
		if (e != HTTP_P_OK && e != HTTP_P_METHOD) {
			if (http_perr_status(e) < 400)
				__builtin_trap();
			break;
		}
		if (rq.head_len == 0 || rq.head_len > n)
			__builtin_trap();
		if (e == HTTP_P_OK && (rq.path[0] != '/' || strlen(rq.path) != rq.path_len ||
		                       rq.path_len > TFTP_NAME_MAX + 1))
			__builtin_trap();
		off += rq.head_len;
	}
	return 0;
}
