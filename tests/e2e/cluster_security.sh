#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Client-side security of the cluster commands: a server never seen before
# needs --accept-new (or a terminal, or --fingerprint), its identity is
# recorded on first use and a changed certificate is refused before any
# password is sent; --fingerprint pins it; a wrong password, a loose password
# file, a missing password source and an unreachable server are each
# reported clearly with their exit status; no password on the command line.
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/tokens_env.inc"
. "$(dirname "$0")/cluster_env.inc"

need_cluster
use_tokens sast1 sast2
start_node 1 "$PKI/ccm1.pem" "$PKI/ccm1.key"
S="--server 127.0.0.1:$PPORT_1"
AUTH="--user admin --password-file $T_TMP/pw"
FP1=$(fp "$PKI/ccm1.pem")
FP2=$(fp "$PKI/ccm2.pem")

expect_exit "first connection without a terminal or --accept-new: refused" 10 \
	setsid -w "$C" check $S $AUTH </dev/null
expect_grep "... before the password is sent" "refusing to log in (nothing was sent)" "$T_TMP/last.out"
expect_eq "... no LOGIN reached the server" "$(grep -c "login" "$T_TMP/n1/prov.log")" 0
expect_exit "first connection with --accept-new succeeds (no CTL yet: check reports it)" 1 \
	"$C" check $S $AUTH --accept-new
expect_grep "... shows the server's fingerprint" "new server 127.0.0.1:$PPORT_1: certificate SHA256 fingerprint $FP1" "$T_TMP/last.err"
expect_grep "... and records it in known_hosts" "127.0.0.1:$PPORT_1 $FP1" "$KNOWN"
expect_grep "... the check itself ran" "no-ctl: no CTL installed" "$T_TMP/last.out"
expect_exit "second connection: no new-server notice" 1 "$C" check $S $AUTH
expect_nogrep "... none" "new server" "$T_TMP/last.err"

# The node's certificate changes (another machine answering on that address).
stop_node 1
start_node 1 "$PKI/ccm2.pem" "$PKI/ccm2.key"
logins_before=$(grep -c "login" "$T_TMP/n1/prov.log")
expect_exit "TLS to a server with a changed certificate is refused" 1 "$C" check $S $AUTH
expect_grep "... with a clear warning" "SERVER CERTIFICATE CHANGED: 127.0.0.1:$PPORT_1 presents SHA256 $FP2" "$T_TMP/last.out"
expect_grep "... naming the recorded fingerprint" "known_hosts records $FP1" "$T_TMP/last.out"
expect_eq "... no LOGIN reached the server" "$(grep -c "login" "$T_TMP/n1/prov.log")" "$logins_before"
expect_grep "... known_hosts keeps the old fingerprint" "127.0.0.1:$PPORT_1 $FP1" "$KNOWN"
expect_exit "mixed-mode is refused there too" 1 "$C" mixed-mode $S $AUTH --module "$MOD" \
	--token "$(label sast1)" --sast-token "$(label sast2)" --pin-file "$(pinfile sast1)" --yes
expect_grep "... before anything is uploaded" "nothing was changed" "$T_TMP/last.err"
expect_exit "a wrong --fingerprint is refused" 1 "$C" check $S $AUTH --fingerprint "$FP1"
expect_grep "... as pinned" "--fingerprint pins $FP1" "$T_TMP/last.out"
expect_exit "a malformed --fingerprint is a usage error" 2 "$C" check $S $AUTH --fingerprint "12:34"
expect_exit "pinning the new fingerprint connects" 1 "$C" check $S $AUTH --fingerprint "SHA256:$FP2"
expect_grep "... and the check runs" "no-ctl: no CTL installed" "$T_TMP/last.out"
expect_grep "... known_hosts now holds the pinned one" "127.0.0.1:$PPORT_1 $FP2" "$KNOWN"

# Passwords.
printf 'wrong-password\n' > "$T_TMP/badpw"; chmod 600 "$T_TMP/badpw"
expect_exit "a wrong password is reported" 1 "$C" check $S --user admin --password-file "$T_TMP/badpw"
expect_grep "... clearly" "login as 'admin' refused: wrong user name or password" "$T_TMP/last.out"
expect_exit "... the same through CTL_ADMIN_PASSWORD" 1 env CTL_ADMIN_PASSWORD=wrong-password \
	"$C" check $S --user admin
expect_grep "... clearly" "wrong user name or password" "$T_TMP/last.out"
expect_exit "the right password through CTL_ADMIN_PASSWORD works" 1 env CTL_ADMIN_PASSWORD=Adm1n-secret \
	"$C" check $S --user admin
expect_grep "... (logged in: the check ran)" "no-ctl" "$T_TMP/last.out"
chmod 644 "$T_TMP/badpw"
expect_exit "a password file readable by others is refused" 2 "$C" check $S --user admin --password-file "$T_TMP/badpw"
expect_grep "... saying how to fix it" "chmod 600" "$T_TMP/last.err"
expect_exit "no password source and no terminal" 2 setsid "$C" check $S --user admin </dev/null
expect_grep "... says where a password can come from" "use --password-file FILE or \$CTL_ADMIN_PASSWORD" "$T_TMP/last.err"
expect_exit "both a password file and the variable is ambiguous" 2 env CTL_ADMIN_PASSWORD=x \
	"$C" check $S $AUTH
expect_exit "there is no --password option" 2 "$C" check $S --user admin --password Adm1n-secret
expect_grep "... says so (not taken for --password-file)" "there is no --password option" "$T_TMP/last.err"
expect_no_secret "the password appears in no output" "Adm1n-secret"

# Network.
dead=$(free_port)
expect_exit "an unreachable server is a network error" 8 "$C" check --server "127.0.0.1:$dead" $AUTH --timeout 3
expect_grep "... naming it" "127.0.0.1:$dead: FAILED: cannot connect to 127.0.0.1:$dead" "$T_TMP/last.out"
expect_exit "a bad --server is a usage error" 2 "$C" check --server "127.0.0.1:99999" $AUTH
expect_exit "--user is required" 2 "$C" check $S --password-file "$T_TMP/pw"
finish
