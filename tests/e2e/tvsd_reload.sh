#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# ctl-tvsd's SIGHUP beyond the store: a regenerated TVS certificate and key
# (the files tls_cert and tls_key name, written over) are presented to new
# connections; a broken or mismatched new key keeps the old identity and the
# log names the file; the --config file is read again, so a `cert =` line
# added to it is answered and a removed one no longer is, while the command
# line's --set settings still apply on top; a changed listen is logged as
# needing a restart and ignored; an unreadable config keeps everything.
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/tvsd_env.inc"
need_tvsd

N=$T_TMP/node
mkdir -p "$N/id"
cp "$PKI/tvs1.pem" "$N/id/tvs.pem"
cp "$PKI/tvs1.key" "$N/id/tvs.key"
chmod 600 "$N/id/tvs.key"
make_tvs_node "$N" "tls_cert=$N/id/tvs.pem" "tls_key=$N/id/tvs.key"
CONF=$N/tvsd.conf
LOG=$N/log
start_tvsd "$N" --set ttl=3600

# presented_serial: the serial of the certificate the server presents now.
presented_serial() {
	timeout 10 openssl s_client -connect "127.0.0.1:$TVS_PORT" </dev/null 2>/dev/null |
		openssl x509 -noout -serial 2>/dev/null | sed 's/^serial=//'
}

# hup_and_wait PATTERN: SIGHUP, then wait for one more log line with PATTERN.
hup_and_wait() {
	_n=$(grep -cF -- "$1" "$LOG")
	kill -HUP "$TVSD_PID"
	wait_for 10 sh -c '[ "$(grep -cF -- "$1" "$2")" -gt "$3" ]' sh "$1" "$LOG" "$_n" ||
		echo "# no new '$1' in the log within 10 s"
}

OLD=$(serial_hex tvs1)
expect_eq "at start: the TVS certificate tvs1 is presented" "$(presented_serial)" "$OLD"

# --- The TVS certificate regenerated: new key, new serial, same subject.
SUBJ="/C=US/ST=NC/L=RTP/O=Example Voice/OU=UC/CN=cucm-pub-tvs.example.lab"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T_TMP/new.key" -out "$T_TMP/new.pem" \
	-subj "$SUBJ" -days 30 -set_serial 0x5EED0001 2>/dev/null ||
	{ echo "Bail out! openssl req failed"; exit 1; }
cp "$T_TMP/new.pem" "$N/id/tvs.pem"
cat "$T_TMP/new.key" >"$N/id/tvs.key"
hup_and_wait "SIGHUP: store reloaded"
expect_eq "after SIGHUP: the regenerated certificate is presented" "$(presented_serial)" "5EED0001"
expect_grep "after SIGHUP: the new TLS certificate is logged" \
	"TLS certificate serial 5EED0001 ($N/id/tvs.pem)" "$LOG"
expect_exit "after SIGHUP: still answering" 0 $TQ verify "$PKI/tvs1.pem"
expect_grep "after SIGHUP: --set ttl=3600 still applies" "ttl 3600" "$T_TMP/last.out"

# --- A broken new key: the identity in use stays, the log names the file.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T_TMP/new2.key" -out "$T_TMP/new2.pem" \
	-subj "$SUBJ" -days 30 -set_serial 0x5EED0002 2>/dev/null ||
	{ echo "Bail out! openssl req failed"; exit 1; }
cp "$T_TMP/new2.pem" "$N/id/tvs.pem"
printf -- '-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n' >"$N/id/tvs.key"
hup_and_wait "SIGHUP: reload failed"
expect_grep "a broken key: the file is logged" "SIGHUP: reload failed: tls_key $N/id/tvs.key" "$LOG"
expect_grep "a broken key: the old identity is kept" "and the TLS certificate loaded before" "$LOG"
expect_eq "a broken key: the previous certificate is still presented" "$(presented_serial)" "5EED0001"
# A valid key that belongs to another certificate.
cat "$PKI/tvs2.key" >"$N/id/tvs.key"
hup_and_wait "SIGHUP: reload failed"
expect_grep "a mismatched key: the file and the reason are logged" \
	"SIGHUP: reload failed: tls_key $N/id/tvs.key: " "$LOG"
expect_grep "a mismatched key: the reason" "key values mismatch" "$LOG"
expect_eq "a mismatched key: the previous certificate is still presented" "$(presented_serial)" "5EED0001"
cat "$T_TMP/new2.key" >"$N/id/tvs.key"
hup_and_wait "SIGHUP: store reloaded"
expect_eq "the key repaired: the second certificate is presented" "$(presented_serial)" "5EED0002"

# --- The config file read again: a cert line added, then removed.
expect_exit "before SIGHUP: ccmB unknown" 1 $TQ verify "$PKI/ccmB.pem"
printf 'cert = sast:%s\n' "$PKI/ccmB.pem" >>"$CONF"
hup_and_wait "SIGHUP: store reloaded"
expect_exit "a cert line added to the config: ccmB answered" 0 $TQ verify "$PKI/ccmB.pem"
expect_grep "the added line's roles (SAST)" "roles 0" "$T_TMP/last.out"
CCMB=$(openssl x509 -in "$PKI/ccmB.pem" -noout -subject -nameopt RFC2253 | sed 's/^subject=//; s/,/;/g')
expect_exit "the added line: QUERY ccmB answered" 0 $TQ query "$CCMB" "$CCMB" "$(serial_hex ccmB)"
grep -v "ccmB.pem" "$CONF" >"$CONF.new" && mv "$CONF.new" "$CONF"
hup_and_wait "SIGHUP: store reloaded"
expect_exit "the line removed: ccmB no longer answered" 1 $TQ verify "$PKI/ccmB.pem"
expect_exit "the line removed: tvs1 still answered" 0 $TQ verify "$PKI/tvs1.pem"

# --- listen cannot change without a restart: logged, ignored.
printf 'listen = 127.0.0.1:1\n' >>"$CONF"
hup_and_wait "SIGHUP: store reloaded"
expect_grep "a changed listen is logged as needing a restart" \
	"SIGHUP: listen changed in $CONF: needs a restart; still listening on 127.0.0.1:0" "$LOG"
expect_exit "a changed listen: still served on the same port" 0 $TQ verify "$PKI/tvs1.pem"

# --- An unreadable config: nothing changes.
printf 'bogus line\n' >>"$CONF"
printf 'cert = sast:%s\n' "$PKI/ccmB.pem" >>"$CONF"
hup_and_wait "SIGHUP: reload failed"
expect_grep "a bad config line: file and line logged" "SIGHUP: reload failed: $CONF:" "$LOG"
expect_exit "a bad config line: the store in use stays (ccmB unknown)" 1 $TQ verify "$PKI/ccmB.pem"
expect_eq "a bad config line: the certificate in use stays" "$(presented_serial)" "5EED0002"
if kill -0 "$TVSD_PID" 2>/dev/null; then ok "still running after every SIGHUP"; else
	not_ok "still running after every SIGHUP"; fi
stop_tvsd
finish
