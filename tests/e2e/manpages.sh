#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Every long option a binary's --help lists is documented in its man page,
# and every option the man page documents is accepted (listed by --help).
. "$(dirname "$0")/../lib/e2e.sh"

# opts_of_help CMD...: the --long-options in CMD's help text, one per line.
opts_of_help() {
	"$@" --help 2>/dev/null | grep -oE '(^|[ [,])--[a-z][a-z0-9-]*' | sed 's/^[ [,]//' | sort -u
}

# opts_of_man PAGE: the options the page documents with .Fl or .It Fl.
opts_of_man() {
	grep -oE 'Fl -[a-z][a-z0-9-]*' "$1" | sed 's/^Fl /-/' | sort -u
}

# compare NAME PAGE HELPOPTS: both directions.
compare() {
	name=$1; page=$2; help=$3
	man=$T_TMP/man.opts
	opts_of_man "$page" > "$man"
	missing=$(comm -23 "$help" "$man" | grep -v '^--help$' | tr '\n' ' ')
	if [ -z "$missing" ]; then ok "$name: every --help option is in $(basename "$page")"; else
		not_ok "$name: options missing from $(basename "$page"): $missing"; fi
}

pages_checked=0
# ctl-client: one --help per command.
if [ -x "$BIN/ctl-client" ] && [ -f "$TOP/doc/ctl-client.1" ]; then
	all=$T_TMP/client.opts
	: > "$all"
	for c in $("$BIN/ctl-client" --help | awk '/^Commands:/{f=1;next} f && /^  [a-z]/{print $1}'); do
		opts_of_help "$BIN/ctl-client" "$c" > "$T_TMP/c.opts"
		cat "$T_TMP/c.opts" >> "$all"
		compare "ctl-client $c" "$TOP/doc/ctl-client.1" "$T_TMP/c.opts"
	done
	sort -u "$all" -o "$all"
	extra=$(comm -13 "$all" "$(opts_of_man "$TOP/doc/ctl-client.1" > "$T_TMP/m.opts"; echo "$T_TMP/m.opts")" |
		grep -vE '^--(help|version)$' | tr '\n' ' ')
	if [ -z "$extra" ]; then ok "ctl-client.1 documents no option the commands lack"; else
		not_ok "ctl-client.1 documents options no command accepts: $extra"; fi
	pages_checked=$((pages_checked + 1))
fi

# Single-command binaries: BINARY PAGE pairs.
for pair in ctl-tftpd:ctl-tftpd.8 ctl-provider:ctl-provider.8 show-ctl:show-ctl.8 show-itl:show-itl.8 ctl-tvsd:ctl-tvsd.8 \
	phone-verifier:phone-verifier.1; do
	b=${pair%%:*}; p=$TOP/doc/${pair#*:}
	[ -x "$BIN/$b" ] || continue
	if [ ! -f "$p" ]; then not_ok "$b has no man page $(basename "$p")"; continue; fi
	opts_of_help "$BIN/$b" > "$T_TMP/h.opts"
	compare "$b" "$p" "$T_TMP/h.opts"
	extra=$(comm -13 "$T_TMP/h.opts" "$(opts_of_man "$p" > "$T_TMP/m.opts"; echo "$T_TMP/m.opts")" |
		grep -vE '^--(help|version)$' | tr '\n' ' ')
	if [ -z "$extra" ]; then ok "$(basename "$p") documents no option $b lacks"; else
		not_ok "$(basename "$p") documents options $b --help does not list: $extra"; fi
	pages_checked=$((pages_checked + 1))
done
[ "$pages_checked" -gt 0 ] || not_ok "no binary with a man page was found in $BIN"
finish
