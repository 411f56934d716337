#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Bash completion ($BUILD/completion/TOOL, written at build time by
# completion/gen-completion from each program's own getopt_long tables):
# each file loads in a plain bash and registers its program; every option
# --help lists is offered (per command for ctl-client and phone-verifier),
# the command names are offered, choice values are offered and each one is
# accepted by the program (an unknown value is refused), file and
# directory options complete files and directories. Drift: a throwaway
# program whose --help names an option its table lacks fails the same
# check, and the copy with the option added to its table offers it.
. "$(dirname "$0")/../lib/e2e.sh"

COMP=$BUILD/completion
TOOLS="ctl-client phone-verifier show-ctl show-itl ctl-tftpd ctl-provider ctl-tvsd"

# replies FILE WORD...: what FILE's completion offers for the command line
# WORD... (the last word is the one being completed), one per line.
replies() {
	bash --norc --noprofile -c '
		f=$1; shift
		. "$f" || exit 1
		fn=$(complete -p "$1" 2>/dev/null | sed -n "s/.* -F \([^ ]*\) .*/\1/p")
		[ -n "$fn" ] || { echo "no completion registered for $1" >&2; exit 1; }
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		"$fn" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		[ ${#COMPREPLY[@]} -eq 0 ] || printf "%s\n" "${COMPREPLY[@]}"' replies "$@"
}

# opts_of_help CMD...: the --long-options CMD's help lists (as manpages.sh reads them).
opts_of_help() {
	"$@" --help 2>/dev/null | grep -oE '(^|[ [,])--[a-z][a-z0-9-]*' | sed 's/^[ [,]//' | sort -u
}

# offered_all FILE TOOL [CMD] -- BIN...: passes when every option BIN... --help
# lists is offered after "TOOL [CMD] --"; prints the missing ones otherwise.
offered_all() {
	f=$1; shift
	words=""
	while [ "$1" != "--" ]; do words="$words $1"; shift; done
	shift
	opts_of_help "$@" > "$T_TMP/help.opts"
	# shellcheck disable=SC2086
	replies "$f" $words -- | sort -u > "$T_TMP/offered"
	[ -s "$T_TMP/help.opts" ] || { echo "no options in --help"; return 1; }
	missing=$(comm -23 "$T_TMP/help.opts" "$T_TMP/offered" | tr '\n' ' ')
	[ -z "$missing" ] || { echo "$missing"; return 1; }
}

# has_line DESC FILE LINE...: passes when FILE holds each LINE exactly.
has_lines() {
	desc=$1; file=$2; shift 2
	for l in "$@"; do
		if ! grep -qxF -- "$l" "$file"; then
			not_ok "$desc (no '$l' among: $(tr '\n' ' ' < "$file"))"
			return
		fi
	done
	ok "$desc"
}

commands_of() {
	"$1" --help | awk '/^Commands:/{f=1;next} f && /^$/{exit} f && /^  [a-z]/{print $1}'
}

# ---- every tool: the file loads and registers the program ---------------------------
for t in $TOOLS; do
	f=$COMP/$t
	if [ ! -f "$f" ]; then not_ok "$t: no completion file $f (make all writes it)"; continue; fi
	if bash --norc --noprofile -c '. "$1" && complete -p "$2"' x "$f" "$t" > "$T_TMP/cp" 2>&1 &&
	   grep -q -- "-F _ctlsuite_.* $t\$" "$T_TMP/cp"; then
		ok "$t: its completion file loads in bash and registers a function for $t"
	else
		not_ok "$t: loading $f registers nothing"; sed 's/^/#   /' "$T_TMP/cp" | head -5
	fi
done

# bash-completion's loader sources a file inside a function: the tables must still be global.
if [ -f "$COMP/ctl-client" ] &&
   bash --norc --noprofile -c 'load() { . "$1"; }; load "$1"
	COMP_WORDS=(ctl-client mixed-mode --lay); COMP_CWORD=2; _ctlsuite_ctl_client
	[ "${COMPREPLY[*]}" = --layout ]' x "$COMP/ctl-client" 2>"$T_TMP/err"; then
	ok "ctl-client: completes when loaded from inside a function (bash-completion's loader)"
else not_ok "ctl-client: loaded from inside a function, completion fails"; sed 's/^/#   /' "$T_TMP/err" | head -3; fi

# ---- every option --help lists is offered ------------------------------------------
for t in $TOOLS; do
	f=$COMP/$t
	[ -f "$f" ] && [ -x "$BIN/$t" ] || continue
	cmds=$(commands_of "$BIN/$t")
	if [ -n "$cmds" ]; then
		bad=""
		for c in $cmds; do
			m=$(offered_all "$f" "$t" "$c" -- "$BIN/$t" "$c") || bad="$bad $c: $m;"
		done
		if [ -z "$bad" ]; then ok "$t: each command's --help options are all offered ($(echo $cmds | wc -w) commands)"
		else not_ok "$t: options --help lists but completion does not offer:$bad"; fi
		replies "$f" "$t" "" | sort > "$T_TMP/cmds.got"
		{ for c in $cmds; do echo "$c"; done; echo --help; echo --version; } | sort > "$T_TMP/cmds.want"
		if cmp -s "$T_TMP/cmds.got" "$T_TMP/cmds.want"; then ok "$t: the command names are offered"
		else not_ok "$t: command names offered: $(tr '\n' ' ' < "$T_TMP/cmds.got")"; fi
	else
		if m=$(offered_all "$f" "$t" -- "$BIN/$t"); then ok "$t: every --help option is offered"
		else not_ok "$t: options --help lists but completion does not offer: $m"; fi
	fi
done

# A table entry --help never shows (the refused --password) is not offered.
if [ -f "$COMP/ctl-client" ]; then
	replies "$COMP/ctl-client" ctl-client mixed-mode --pass > "$T_TMP/r"
	if grep -qx -- --password-file "$T_TMP/r" && ! grep -qx -- --password "$T_TMP/r"; then
		ok "ctl-client mixed-mode: --password-file offered, the refused --password (not in --help) is not"
	else not_ok "ctl-client mixed-mode --pass offers: $(tr '\n' ' ' < "$T_TMP/r")"; fi
fi

# ---- choice values ---------------------------------------------------------------
if [ -f "$COMP/ctl-client" ]; then
	replies "$COMP/ctl-client" ctl-client mixed-mode --layout "" > "$T_TMP/r"
	has_lines "ctl-client mixed-mode --layout offers 12x and 10x" "$T_TMP/r" 12x 10x
	expect_eq "ctl-client mixed-mode --layout offers nothing else" "$(wc -l < "$T_TMP/r")" 2
	# bash splits "--digest=" at "=" (COMP_WORDBREAKS).
	replies "$COMP/ctl-client" ctl-client build --digest = "" > "$T_TMP/r"
	has_lines "ctl-client build --digest= offers sha1 and sha512" "$T_TMP/r" sha1 sha512
	replies "$COMP/ctl-client" ctl-client check --user "" > "$T_TMP/r"
	expect_eq "ctl-client check --user NAME (free text) offers nothing" "$(wc -l < "$T_TMP/r")" 0
fi
if [ -f "$COMP/phone-verifier" ]; then
	replies "$COMP/phone-verifier" phone-verifier register --console 8 > "$T_TMP/r"
	has_lines "phone-verifier register --console 8 completes to 88xx" "$T_TMP/r" 88xx
fi

# Every choice a file offers is accepted by the program, and a made-up value
# is refused (the control: the check can tell the two apart). Options are
# parsed in order, so "--OPT VALUE --help" exits 0 once VALUE passed. A
# program that checks the value only after parsing is listed in DEFERRED
# and checked its own way below.
DEFERRED="ctl-provider:--method"
total=0
for t in $TOOLS; do
	f=$COMP/$t
	[ -f "$f" ] || continue
	n=0; bad=""
	sed -n "s/^	\[\([a-z-]*\)\]='\(.*\)'\$/\1 \2/p" "$f" > "$T_TMP/specs"
	while read -r cmd spec; do
		[ "$cmd" = - ] && cmd=
		for w in $spec; do
			case $w in *:c=*) ;; *) continue ;; esac
			opt=${w%%:*}; vals=$(echo "${w#*:c=}" | tr ',' ' ')
			case " $DEFERRED " in *" $t:$opt "*) continue ;; esac
			# shellcheck disable=SC2086
			"$BIN/$t" $cmd "$opt" zz-not-a-choice --help >/dev/null 2>&1 && bad="$bad $cmd $opt zz-not-a-choice accepted;"
			for v in $vals; do
				n=$((n + 1))
				# shellcheck disable=SC2086
				"$BIN/$t" $cmd "$opt" "$v" --help >/dev/null 2>&1 || bad="$bad $cmd $opt $v refused;"
			done
		done
	done < "$T_TMP/specs"
	total=$((total + n))
	[ "$n" -eq 0 ] && [ -z "$bad" ] && continue
	if [ -z "$bad" ]; then ok "$t: all $n offered choice values are accepted, a made-up one refused"
	else not_ok "$t: choice values ($n):$bad"; fi
done
[ "$total" -gt 0 ] || not_ok "no choice values offered by any program"
if [ -f "$COMP/ctl-provider" ]; then
	replies "$COMP/ctl-provider" ctl-provider --method "" > "$T_TMP/r"
	has_lines "ctl-provider --method offers yescrypt and sha512" "$T_TMP/r" yescrypt sha512
	bad=""
	for v in $(cat "$T_TMP/r"); do
		echo pw | "$BIN/ctl-provider" --hash-password u --method "$v" >/dev/null 2>&1 || bad="$bad $v"
	done
	echo pw | "$BIN/ctl-provider" --hash-password u --method zz-not-a-choice >/dev/null 2>&1 && bad="$bad (zz-not-a-choice accepted)"
	if [ -z "$bad" ]; then ok "ctl-provider --hash-password takes each offered --method, refuses a made-up one"
	else not_ok "ctl-provider --method:$bad"; fi
fi

# ---- files and directories ---------------------------------------------------------
d=$T_TMP/pick
mkdir -p "$d/subdir"
: > "$d/cert.pem"
if [ -f "$COMP/ctl-client" ]; then
	replies "$COMP/ctl-client" ctl-client build --sast "$d/ce" > "$T_TMP/r"
	has_lines "ctl-client build --sast completes a file name" "$T_TMP/r" "$d/cert.pem"
	replies "$COMP/ctl-client" ctl-client build "--out=$d/c" > "$T_TMP/r"
	has_lines "ctl-client build --out=FILE in one word keeps its --out= prefix" "$T_TMP/r" "--out=$d/cert.pem"
	replies "$COMP/ctl-client" ctl-client show "$d/c" > "$T_TMP/r"
	has_lines "ctl-client show FILE (an operand) completes a file name" "$T_TMP/r" "$d/cert.pem"
fi
for t in ctl-tftpd show-ctl; do
	[ -f "$COMP/$t" ] || continue
	replies "$COMP/$t" "$t" --root "$d/" > "$T_TMP/r"
	if grep -qx -- "$d/subdir" "$T_TMP/r" && ! grep -q cert.pem "$T_TMP/r"; then
		ok "$t --root completes directories only"
	else not_ok "$t --root offers: $(tr '\n' ' ' < "$T_TMP/r")"; fi
done
if [ -f "$COMP/ctl-tftpd" ]; then
	replies "$COMP/ctl-tftpd" ctl-tftpd -r "$d/" > "$T_TMP/r"
	if grep -qx -- "$d/subdir" "$T_TMP/r" && ! grep -q cert.pem "$T_TMP/r"; then
		ok "ctl-tftpd -r (the short --root of its table) completes directories only"
	else not_ok "ctl-tftpd -r offers: $(tr '\n' ' ' < "$T_TMP/r")"; fi
	replies "$COMP/ctl-tftpd" ctl-tftpd - > "$T_TMP/r"
	if grep -qx -- --root "$T_TMP/r" && ! grep -qx -- -r "$T_TMP/r"; then
		ok "ctl-tftpd -<TAB> offers the long options, not the short ones"
	else not_ok "ctl-tftpd - offers: $(tr '\n' ' ' < "$T_TMP/r" | cut -c1-200)"; fi
fi
if [ -f "$COMP/phone-verifier" ]; then
	replies "$COMP/phone-verifier" phone-verifier fleet --state-root "$d/s" > "$T_TMP/r"
	has_lines "phone-verifier fleet --state-root completes a directory" "$T_TMP/r" "$d/subdir"
fi

# ---- drift: a table copy with an option more ----------------------------------------
# The option lists are read from the program at build time, so a new table
# entry is offered by the next build; a --help option without an entry fails.
drift_src() {
	cat <<EOF
#include <getopt.h>
#include <stdio.h>
static const struct option opts[] = {
	{ "alpha", required_argument, NULL, 'a' },
	$1
	{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
};
int main(int argc, char **argv)
{
	int c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1)
		if (c == 'h') { puts("usage: drift [--alpha FILE] [--beta DIR] [--help]"); return 0; }
	return 0;
}
EOF
}
mkdir -p "$T_TMP/old" "$T_TMP/new"
drift_src "" > "$T_TMP/old/drift.c"
drift_src '{ "beta", required_argument, NULL, '"'b'"' },' > "$T_TMP/new/drift.c"
if cc -o "$T_TMP/old/drift" "$T_TMP/old/drift.c" && cc -o "$T_TMP/new/drift" "$T_TMP/new/drift.c" &&
   "$TOP/completion/gen-completion" "$COMP/optdump.so" "$T_TMP/old/drift" "$T_TMP/old/comp" &&
   "$TOP/completion/gen-completion" "$COMP/optdump.so" "$T_TMP/new/drift" "$T_TMP/new/comp"; then
	if m=$(offered_all "$T_TMP/old/comp" drift -- "$T_TMP/old/drift"); then
		not_ok "drift: --beta in --help but not in the table went unnoticed"
	else
		expect_eq "drift: a --help option missing from the table fails the check" "$m" "--beta "
	fi
	if m=$(offered_all "$T_TMP/new/comp" drift -- "$T_TMP/new/drift"); then
		ok "drift: the table copy with --beta added offers it"
	else not_ok "drift: the copy with --beta in its table still lacks: $m"; fi
	replies "$T_TMP/new/comp" drift --beta "$d/" > "$T_TMP/r"
	has_lines "drift: --beta DIR completes directories" "$T_TMP/r" "$d/subdir"
else
	not_ok "drift: could not build or generate the throwaway program"
fi
# make install puts every file in BASHCOMPDIR; make uninstall removes them.
root=$T_TMP/root
cdir=$root/usr/share/bash-completion/completions
if make -C "$TOP" -s BUILD="$BUILD" DESTDIR="$root" PREFIX=/usr install > "$T_TMP/install.log" 2>&1; then
	bad=""
	for t in $TOOLS; do
		[ -f "$cdir/$t" ] && cmp -s "$cdir/$t" "$COMP/$t" && [ "$(stat -c %a "$cdir/$t")" = 644 ] ||
			bad="$bad $t"
	done
	if [ -z "$bad" ]; then ok "make install DESTDIR PREFIX=/usr: each file in /usr/share/bash-completion/completions, mode 644"
	else not_ok "make install: missing or different in $cdir:$bad"; fi
	if make -C "$TOP" -s BUILD="$BUILD" DESTDIR="$root" PREFIX=/usr uninstall > "$T_TMP/uninstall.log" 2>&1 &&
	   [ -z "$(ls -A "$cdir" 2>/dev/null)" ]; then
		ok "make uninstall removes them"
	else not_ok "make uninstall leaves: $(ls "$cdir" 2>/dev/null | tr '\n' ' ')"; sed 's/^/#   /' "$T_TMP/uninstall.log" | head -3; fi
else
	not_ok "make install DESTDIR PREFIX=/usr failed"; sed 's/^/#   /' "$T_TMP/install.log" | tail -5
fi
# The build regenerates a file when its program is rebuilt.
if make -C "$TOP" -n BUILD="$BUILD" -W "$BIN/ctl-client" "$COMP/ctl-client" 2>/dev/null |
   grep -q "gen-completion .*ctl-client"; then
	ok "make rewrites completion/ctl-client when ctl-client is rebuilt"
else not_ok "make does not regenerate completion/ctl-client after ctl-client changes"; fi
finish
