#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# kill -9 of ctl-provider inside its atomic install, at chosen points. An
# LD_PRELOAD shim (tests/tools/provider/rename_pause.c) stops the provider at
# the rename of CTLFile.tlv.bak, just before the rename of CTLFile.tlv, or
# just after it, and the test kills it there: every kill lands mid-install.
# The file in the TFTP root, and what ctl-tftpd (running throughout)
# serves, must then be exactly the old CTL (killed before the rename) or
# exactly the new one (after), complete and verifying; a restart removes
# the temporary file the kill left.
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/provider_env.inc"
need_provider
SHIM=$BUILD/tests/rename-pause.so
[ -f "$SHIM" ] || { echo "Bail out! $SHIM missing (make tests)"; exit 1; }

ROUNDS=${PROV_CRASH_ROUNDS:-6}
N=$T_TMP/node
make_node "$N"
make_ctls "$T_TMP"
A=$(md5 "$T_TMP/big1.tlv")
B=$(md5 "$T_TMP/big2.tlv")

start_provider "$N"
expect_exit "big1.tlv installed first" 0 $P put-ctl "$T_TMP/big1.tlv"
stop_provider

start_tftpd "$N/root"
wait_for 5 tftp_fetch CTLFile.tlv "$T_TMP/served.tlv" ||
	{ echo "Bail out! ctl-tftpd did not serve"; exit 1; }

mid=0 bad=0 served_bad=0 left=0
r=1
while [ "$r" -le "$ROUNDS" ]; do
	case $((r % 3)) in
	1) target=CTLFile.tlv.bak when=before ;;
	2) target=CTLFile.tlv when=before ;;
	0) target=CTLFile.tlv when=after ;;
	esac
	old=$(md5 "$N/root/CTLFile.tlv")
	if [ "$old" = "$A" ]; then up=big2 new=$B; else up=big1 new=$A; fi
	if [ "$when" = after ]; then want=$new; else want=$old; fi
	rm -f "$T_TMP/paused"
	PROV_ENV="LD_PRELOAD=$SHIM CTL_PAUSE_RENAME=$target CTL_PAUSE_WHEN=$when CTL_PAUSE_MARK=$T_TMP/paused"
	start_provider "$N"
	PROV_ENV=
	$P put-ctl "$T_TMP/$up.tlv" >/dev/null 2>&1 &
	UP=$!
	if wait_for 20 test -e "$T_TMP/paused"; then
		mid=$((mid + 1))
	else
		echo "# round $r: the provider never reached the rename of $target"
	fi
	kill -9 "$PROV_PID"
	wait "$PROV_PID" 2>/dev/null
	wait "$UP"
	temps=$(find "$N/root" -name '.CTLFile*' | wc -l | tr -d ' ')
	[ "$when" = before ] && [ "$temps" -ge 1 ] && left=$((left + 1))
	got=$(md5 "$N/root/CTLFile.tlv")
	if [ "$got" != "$want" ] || ! "$CC_" verify "$N/root/CTLFile.tlv" >/dev/null 2>&1; then
		bad=$((bad + 1)); echo "# round $r ($when rename of $target): CTLFile.tlv md5 $got, wanted $want"
	fi
	if ! tftp_fetch CTLFile.tlv "$T_TMP/served.tlv" ||
	    [ "$(md5 "$T_TMP/served.tlv")" != "$want" ] ||
	    ! "$CC_" verify "$T_TMP/served.tlv" >/dev/null 2>&1; then
		served_bad=$((served_bad + 1)); echo "# round $r: ctl-tftpd did not serve md5 $want"
	fi
	r=$((r + 1))
done
befores=$(( (ROUNDS + 1) / 3 + (ROUNDS + 2) / 3 ))
expect_eq "all $ROUNDS kills landed inside the install (stopped at a rename)" "$mid" "$ROUNDS"
expect_eq "killed before a rename: the complete new file was left in a temporary" "$left" "$befores"
expect_eq "after each kill CTLFile.tlv is exactly the old (before) or new (after) CTL, verifying" "$bad" 0
expect_eq "after each kill ctl-tftpd served exactly that CTL" "$served_bad" 0
expect_eq "the backup is a complete CTL" "$("$CC_" verify "$N/root/CTLFile.tlv.bak" >/dev/null 2>&1; echo $?)" 0

start_provider "$N"
expect_grep "restart removed the temporary file" "temporary file(s) an interrupted upload left" "$N/log"
n=$(find "$N/root" -name '.CTLFile*' | wc -l | tr -d ' ')
expect_eq "no temporary file left after a restart" "$n" 0
expect_exit "provider serves after the kills" 0 $P status
expect_grep "status reports the installed md5" "md5: $(md5 "$N/root/CTLFile.tlv")" "$T_TMP/last.out"
stop_provider
finish
