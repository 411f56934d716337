#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# 200 clients at once, each: TLS handshake, LOGIN, GET_INFO (node
# certificates), BYE, each from its own loopback address (127.0.1.x, as 200
# administrators would be; one address may hold only max_per_address
# connections). All 200 must succeed; the provider logs 200 logins and
# stays up.
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/provider_env.inc"
need_provider

N=$T_TMP/node
make_node "$N" max_connections=256 read_timeout=30
start_provider "$N"
expect_exit "200 concurrent get-certificates: exit 0" 0 $P --timeout 120 --spread load 200
expect_grep "200 concurrent get-certificates: 200/200 ok" "load: 200/200 connections ok" "$T_TMP/last.out"
n=$(grep -c "login ok for user admin" "$N/log")
expect_eq "200 logins logged" "$n" 200
n=$(grep -c "GET_INFO from 127.0.1.[0-9]*:[0-9]* user admin: OK" "$N/log")
expect_eq "200 GET_INFO answered" "$n" 200
expect_exit "provider still serves afterwards" 0 $P info
expect_grep "certificates announced" "cert: role 2," "$T_TMP/last.out"
if kill -0 "$PROV_PID" 2>/dev/null; then ok "provider process alive"; else not_ok "provider process alive"; fi
stop_provider
expect_grep "clean stop logged" "ctl-provider: stopped" "$N/log"
finish
