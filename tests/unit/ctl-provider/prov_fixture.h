/* SPDX-License-Identifier: Apache-2.0 */
/* Fixtures the ctl-provider unit tests share; each fails the test on error. */
#ifndef PROV_FIXTURE_H
#define PROV_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "provider.h"

/*
 * A CTL listing first_sast ("sast1" or "rogue"), sast2 and ccm1 (and ccm2
 * when extra), signed by signer_name's key; free() the result.
 */
uint8_t *make_ctl(const char *first_sast, const char *signer_name, int extra, size_t *len);
/* Defaults plus a hostname, ipv4 and paths under dir; no login delay, 3 failures. */
void node_config(struct prov_config *c, const char *dir);
/* A credential file (mode 0600) with users ops and admin, password "secret". */
void write_creds(const char *path, const char *method);
void put_file(const char *path, const void *p, size_t n);
/* 1 when the file at path holds exactly p[0..n). */
int same_file(const char *path, const uint8_t *p, size_t n);

#endif
