#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# scripts/install-deps in a sandbox: fake dpkg-query (nothing installed),
# apt-get (records its arguments, sleeps on request), id (root),
# systemctl/pkill/kill-like tools (record any call) first on PATH, and
# POLICY_RC_D pointing into the test folder. Checks what each mode installs,
# that no service or process is ever stopped, and that the policy-rc.d it
# creates is gone after success, failure and INT/TERM/HUP.
. "$(dirname "$0")/../lib/e2e.sh"

DEPS=$TOP/scripts/install-deps
FAKE=$T_TMP/bin
mkdir -p "$FAKE"
CALLS=$T_TMP/calls
POL=$T_TMP/policy-rc.d

cat >"$FAKE/dpkg-query" <<'SH'
#!/bin/sh
exit 1
SH
cat >"$FAKE/id" <<'SH'
#!/bin/sh
echo 0
SH
# apt-get: notes its arguments and whether the policy file blocked services
# while it ran; APT_SLEEP makes it run long enough to be signalled.
cat >"$FAKE/apt-get" <<SH
#!/bin/sh
if [ -x "$POL" ]; then "$POL" x start; echo "apt-get \$* policy=\$?" >>"$CALLS"
else echo "apt-get \$* policy=none" >>"$CALLS"; fi
[ -n "\${APT_SLEEP:-}" ] && sleep "\$APT_SLEEP"
exit \${APT_EXIT:-0}
SH
for t in systemctl service pkill killall invoke-rc.d; do
	printf '#!/bin/sh\necho "%s $*" >>"%s"\n' "$t" "$CALLS" >"$FAKE/$t"
done
chmod 755 "$FAKE"/*

run_deps() {
	: >"$CALLS"
	PATH=$FAKE:$PATH POLICY_RC_D=$POL sh "$DEPS" "$@" >"$T_TMP/last.out" 2>"$T_TMP/last.err"
}

run_deps
expect_eq "check mode: exit 0" "$?" 0
expect_grep "check mode installs the test clients" " tftp-hpa atftp curl " "$CALLS"
expect_grep "check mode installs SoftHSM2" " softhsm2 " "$CALLS"
expect_grep "services are blocked while apt-get runs (policy-rc.d exit 101)" "policy=101" "$CALLS"
for d in tftpd-hpa dnsmasq atftpd; do
	expect_eq "check mode does not install $d" "$(grep -c " $d" "$CALLS")" 0
done
expect_eq "no service or process stopped or killed" \
    "$(grep -cvE '^apt-get ' "$CALLS")" 0
expect_eq "policy-rc.d removed after the install" "$(ls "$POL" 2>/dev/null)" ""

run_deps bench
expect_eq "bench mode: exit 0" "$?" 0
expect_grep "bench mode installs tftpd-hpa" " tftpd-hpa" "$CALLS"
expect_grep "bench mode installs dnsmasq" " dnsmasq-base" "$CALLS"
expect_eq "bench mode: no service or process stopped or killed" \
    "$(grep -cvE '^apt-get ' "$CALLS")" 0
expect_eq "bench mode: policy-rc.d removed" "$(ls "$POL" 2>/dev/null)" ""

expect_exit "an unknown mode is a usage error" 2 env PATH="$FAKE:$PATH" POLICY_RC_D="$POL" sh "$DEPS" nonsense

APT_EXIT=100 run_deps
expect_eq "apt-get failing: install-deps fails" "$?" 100
expect_eq "apt-get failing: policy-rc.d removed" "$(ls "$POL" 2>/dev/null)" ""

# A policy-rc.d the administrator made is left alone.
printf '#!/bin/sh\nexit 0\n' >"$POL"; chmod 755 "$POL"
run_deps
expect_grep "an existing policy-rc.d is used as is" "policy=0" "$CALLS"
expect_eq "an existing policy-rc.d stays" "$(cat "$POL")" "$(printf '#!/bin/sh\nexit 0')"
rm -f "$POL"

# Signalled while apt-get runs: to the script alone, then to its whole
# process group (as a terminal's Ctrl-C or a service manager does).
# A background job of this shell starts with SIGINT ignored, which a shell
# cannot trap: env restores the default first, as a terminal has it.
for sig in TERM INT HUP; do
	for who in script group; do
		: >"$CALLS"
		if [ $who = group ]; then
			APT_SLEEP=2 PATH=$FAKE:$PATH POLICY_RC_D=$POL setsid \
			    env --default-signal=INT sh "$DEPS" bench >/dev/null 2>&1 &
		else
			APT_SLEEP=2 PATH=$FAKE:$PATH POLICY_RC_D=$POL \
			    env --default-signal=INT sh "$DEPS" bench >/dev/null 2>&1 &
		fi
		pid=$!
		wait_for 10 grep -q '^apt-get' "$CALLS"
		if [ $who = group ]; then kill -s $sig -- "-$pid"; else kill -s $sig "$pid"; fi
		i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
		wait "$pid" 2>/dev/null
		rc=$?
		expect_eq "SIG$sig to the $who during apt-get: policy-rc.d removed" \
		    "$(ls "$POL" 2>/dev/null)" ""
		expect_eq "SIG$sig to the $who: install-deps fails" "$([ $rc -ne 0 ] && echo yes)" yes
	done
done

finish
