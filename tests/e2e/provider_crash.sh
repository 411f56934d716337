#!/bin/sh
# kill -9 of ctl-provider during uploads, 30 times: a client uploads two
# ~50 KB CTLs in turn as fast as it can, the provider is killed at a random
# moment (0-400 ms), restarted, and ctl-tftpd, which runs throughout, must
# serve a complete, verifying CTLFile.tlv equal to one of the uploads, and
# so must the file in the TFTP root. No temporary file survives a restart.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/provider_env.inc"
need_provider

ROUNDS=${PROV_CRASH_ROUNDS:-30}
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

bad=0 served_bad=0 installs_before=0 rounds_mid=0
r=1
while [ "$r" -le "$ROUNDS" ]; do
	start_provider "$N"
	# The uploader: big2, big1, big2, ... until the provider is gone.
	( i=0; while :; do
		if [ $((i % 2)) -eq 0 ]; then f=big2; else f=big1; fi
		$P put-ctl "$T_TMP/$f.tlv" >/dev/null 2>&1 || exit 0
		i=$((i + 1))
	done ) &
	UP=$!
	sleep "0.$(awk -v s="$r$$" 'BEGIN { srand(s); printf "%03d", int(rand() * 400) }')"
	kill -9 "$PROV_PID"
	wait "$PROV_PID" 2>/dev/null
	wait "$UP"
	n=$(grep -c "PUT_CTL from .* installed" "$N/log")
	[ "$n" -gt "$installs_before" ] && rounds_mid=$((rounds_mid + 1))
	installs_before=$n
	got=$(md5 "$N/root/CTLFile.tlv")
	if { [ "$got" != "$A" ] && [ "$got" != "$B" ]; } ||
	    ! "$CC_" verify "$N/root/CTLFile.tlv" >/dev/null 2>&1; then
		bad=$((bad + 1)); echo "# round $r: CTLFile.tlv md5 $got is neither upload or does not verify"
	fi
	if ! tftp_fetch CTLFile.tlv "$T_TMP/served.tlv" ||
	    ! "$CC_" verify "$T_TMP/served.tlv" >/dev/null 2>&1 ||
	    { [ "$(md5 "$T_TMP/served.tlv")" != "$A" ] && [ "$(md5 "$T_TMP/served.tlv")" != "$B" ]; }; then
		served_bad=$((served_bad + 1)); echo "# round $r: served CTL bad"
	fi
	r=$((r + 1))
done
sweeps=$(grep -c "temporary file(s) an interrupted upload left" "$N/log")
echo "# $ROUNDS kills; $installs_before uploads completed in all; $rounds_mid rounds completed at least one;"
echo "# $sweeps restarts found a half-written temporary file (killed mid-write)"
expect_eq "after $ROUNDS kill -9: CTLFile.tlv always old or new and verifying" "$bad" 0
expect_eq "after $ROUNDS kill -9: ctl-tftpd always served a complete, verifying CTL" "$served_bad" 0

start_provider "$N"
n=$(find "$N/root" -name '.CTLFile*' | wc -l | tr -d ' ')
expect_eq "no temporary file left after a restart" "$n" 0
expect_exit "provider serves after the kills" 0 $P status
expect_grep "status reports the installed md5" "md5: $(md5 "$N/root/CTLFile.tlv")" "$T_TMP/last.out"
stop_provider
finish
