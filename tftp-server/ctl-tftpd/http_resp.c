/* SPDX-License-Identifier: Apache-2.0 */
/* Response heads (see http_resp.h). */
#include <stdio.h>
#include <string.h>

#include "http_resp.h"

/* Status, reason and the body of a refusal: one table. */
static const struct {
	unsigned status;
	const char *reason;
	const char *body;
} statuses[] = {
	{ 200, "OK", "" },
	{ 400, "Bad Request", "400 Bad Request\n" },
	{ 403, "Forbidden", "403 Forbidden\n" },
	{ 404, "Not Found", "404 Not Found\n" },
	{ 405, "Method Not Allowed", "405 Method Not Allowed\n" },
	{ 408, "Request Timeout", "408 Request Timeout\n" },
	{ 413, "Content Too Large", "413 Content Too Large\n" },
	{ 414, "URI Too Long", "414 URI Too Long\n" },
	{ 431, "Request Header Fields Too Large", "431 Request Header Fields Too Large\n" },
	{ 500, "Internal Server Error", "500 Internal Server Error\n" },
	{ 503, "Service Unavailable", "503 Service Unavailable\n" },
	{ 505, "HTTP Version Not Supported", "505 HTTP Version Not Supported\n" },
};

/* The entry of status; a status without one is a bug of ours, answered as 500. */
static size_t
find(unsigned status)
{
	size_t n = sizeof(statuses) / sizeof(statuses[0]), i500 = 0;

	for (size_t i = 0; i < n; i++) {
		if (statuses[i].status == status)
			return i;
		if (statuses[i].status == 500)
			i500 = i;
	}
	return i500;
}

const char *
http_status_reason(unsigned status)
{
	return statuses[find(status)].reason;
}

size_t
http_resp_file(char *buf, size_t cap, size_t size, int keep_alive)
{
	int n = snprintf(buf, cap,
	                 "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
	                 "Content-Length: %zu\r\n%s\r\n",
	                 size, keep_alive ? "" : "Connection: close\r\n");

	return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

size_t
http_resp_error(char *buf, size_t cap, unsigned status, int keep_alive, const char **body,
                size_t *body_len)
{
	size_t i = find(status);
	const char *extra = status == 405 ? "Allow: GET, HEAD\r\n" : status == 503 ? "Retry-After: 1\r\n" : "";
	int n;

	*body = statuses[i].body;
	*body_len = strlen(statuses[i].body);
	n = snprintf(buf, cap,
	             "HTTP/1.1 %u %s\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n%s%s\r\n",
	             statuses[i].status, statuses[i].reason, *body_len, extra,
	             keep_alive ? "" : "Connection: close\r\n");
	return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}
