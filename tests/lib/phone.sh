# SPDX-License-Identifier: Apache-2.0
# Shared set-up of the phone end-to-end tests (sourced after e2e.sh): the
# test PKI (made once), the tools ($PV phone-verifier, $CC ctl-client), the
# test cluster's trust lists made by ctl-client from the test PKI, and a
# CallManager's TLS port played by `openssl s_server`. The callers redirect
# ctl-client's output and check its exit status as they need.

need_pki
PV=$BIN/phone-verifier
CC=$BIN/ctl-client
md5() { md5sum < "$1" | cut -d' ' -f1; }

# cluster_ctl OUT SIGNER TS [ctl-client build options]: the cluster's CTL:
# the two SAST tokens, the CCM+TFTP node (ccm1, cucm-pub.example.lab,
# 192.0.2.11) and CAPF, signed by SIGNER (a PKI name: sast1, sast2) at TS;
# further options (more roles, --name-format) come after.
cluster_ctl() {
	_out=$1; _who=$2; _ts=$3; shift 3
	"$BIN/ctl-client" build --out "$_out" --sast "$PKI/sast1.pem" --sast "$PKI/sast2.pem" \
		--ccm-tftp "$PKI/ccm1.pem,dns=cucm-pub.example.lab,ip=192.0.2.11" --capf "$PKI/capf.pem" \
		--sign-key "$PKI/$_who.key" --sign-cert "$PKI/$_who.pem" --timestamp "$_ts" "$@"
}

# rogue_ctl OUT: a CTL signed by a token the cluster's CTL does not list.
rogue_ctl() {
	"$BIN/ctl-client" build --out "$1" --sast "$PKI/rogue.pem" --sast "$PKI/sast1.pem" \
		--ccm-tftp "$PKI/ccm2.pem" --sign-key "$PKI/rogue.key" --sign-cert "$PKI/rogue.pem" \
		--timestamp 1700000200
}

# cluster_itl OUT: the node's tokenless ITL (ccm1 as SAST and CCM+TFTP, TVS tvs1).
cluster_itl() {
	"$BIN/ctl-client" build --itl --tokenless --out "$1" --sast "$PKI/ccm1.pem" \
		--ccm-tftp "$PKI/ccm1.pem" --tvs "$PKI/tvs1.pem" \
		--sign-key "$PKI/ccm1.key" --sign-cert "$PKI/ccm1.pem"
}

# start_ccm NAME CERT KEY [s_server options]: `openssl s_server` on a free
# high port of 127.0.0.1 (another port when the first was taken), its log
# in $T_TMP/NAME.log; waits (10 s at most) for ACCEPT; sets CPORT and adds
# the server to the cleanup list.
start_ccm() {
	_n=$1; _c=$2; _k=$3; shift 3
	for _try in 1 2 3; do
		CPORT=$(free_port)
		openssl s_server -accept "127.0.0.1:$CPORT" -cert "$_c" -key "$_k" -www "$@" \
			> "$T_TMP/$_n.log" 2>&1 &
		_pid=$!
		T_PIDS="$T_PIDS $_pid"
		_i=0
		while [ "$_i" -lt 200 ] && kill -0 "$_pid" 2>/dev/null; do
			grep -q '^ACCEPT' "$T_TMP/$_n.log" 2>/dev/null && return 0
			sleep 0.05; _i=$((_i + 1))
		done
		kill "$_pid" 2>/dev/null
	done
	echo "Bail out! openssl s_server did not start"; sed 's/^/# /' "$T_TMP/$_n.log"; exit 1
}
