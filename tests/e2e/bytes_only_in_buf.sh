#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Only the buffer code touches bytes. libctl/buf.c is the one file that
# writes the fields of struct ctl_rd / struct ctl_wr (base, len, off,
# origin, buf, cap, max, fixed); everything else goes through the
# ctl_rd_* / ctl_wr_* verbs. In libctl, multi-byte numbers are read and
# written only through the u16be/u32be helpers: no hand shifts of file
# bytes (v[0] << 8, (uint8_t)(v >> 24)) outside buf.c.
. "$(dirname "$0")/../lib/e2e.sh"

# field_writes FILE: "FILE:LINE: text" for each assignment to a field of a
# variable, parameter or member the file declares as struct ctl_rd/ctl_wr,
# and each compound literal of those types.
field_writes() {
	perl -e '
		my $f = shift; open(my $h, "<", $f) or die "$f: $!";
		my @lines = <$h>; my $src = join("", @lines); my %names;
		$src =~ s{/\*.*?\*/}{ my $c = $&; $c =~ s/[^\n]/ /g; $c }gse;
		while ($src =~ /struct\s+ctl_(?:rd|wr)\b\s*\**\s*(\w+)/g) { $names{$1} = 1; }
		while ($src =~ /struct\s+ctl_(?:rd|wr)\s+([^;(){}]*);/g) {
			for my $d (split /,/, $1) { $names{$1} = 1 if $d =~ /^\s*\**\s*(\w+)\s*(?:=.*)?$/s; }
		}
		my $fields = qr/(?:base|len|off|origin|buf|cap|max|fixed)/;
		my $asg = qr/(?:[-+*\/%&|^]|<<|>>)?=(?!=)|\+\+|--/;
		my $n = 0;
		for my $l (split /\n/, $src, -1) {
			$n++;
			my $hit = $l =~ /\(\s*struct\s+ctl_(?:rd|wr)\s*\)\s*\{/;
			for my $v (keys %names) {
				$hit = 1 if $l =~ /(?<![\w.>])\Q$v\E\s*(?:\.|->)\s*$fields\s*(?:$asg)/;
				$hit = 1 if $l =~ /(?:\.|->)\Q$v\E\s*(?:\.|->)\s*$fields\s*(?:$asg)/;
				$hit = 1 if $l =~ /(?:\+\+|--)\s*\Q$v\E\s*(?:\.|->)\s*$fields\b/;
			}
			print "$f:$n: $lines[$n - 1]" if $hit;
		}' "$1"
}

# hand_shifts FILE: lines that assemble or split multi-byte numbers by hand:
# an indexed byte shifted left (v[0] << 8) or a value cut into bytes
# ((uint8_t)(v >> 8)).
hand_shifts() {
	grep -nHE '\[[^]]*\][[:space:]]*\)?[[:space:]]*<<[[:space:]]*(8|16|24)\b|\(uint8_t\)[[:space:]]*\([^()]*>>[[:space:]]*(8|16|24)[[:space:]]*\)' "$1" |
		grep -v '^[^:]*:[0-9]*:[[:space:]]*\*'
}

cd "$TOP" || exit 1
files=$(git ls-files '*.c' 2>/dev/null || find . -name '*.c' ! -path './build*' | sed 's|^\./||')

# The check itself must see a write and a shift, or it proves nothing.
probe=$T_TMP/probe.c
printf '%s\n' 'static void f(struct ctl_rd *rd, uint8_t *v)' '{' '	struct ctl_rd hdr, sub;' \
	'	hdr.off = 10;' '	rd->origin += 3;' '	sub = (struct ctl_rd){ 0 };' \
	'	x = (uint16_t)((v[0] << 8) | v[1]);' '	b = (uint8_t)(ts >> 24);' \
	'	y = ctl_rd_off(rd); z = hdr.len == 2;' '}' > "$probe"
got=$(field_writes "$probe" | wc -l)
expect_eq "the field check finds the three writes in a probe file" "$got" 3
got=$(hand_shifts "$probe" | wc -l)
expect_eq "the shift check finds the two shifts in a probe file" "$got" 2

: > "$T_TMP/writes"
for f in $files; do
	[ "$f" = libctl/buf.c ] && continue
	field_writes "$f" >> "$T_TMP/writes"
done
if [ -s "$T_TMP/writes" ]; then
	not_ok "only libctl/buf.c writes ctl_rd/ctl_wr fields; also:"
	sed 's/^/#   /' "$T_TMP/writes"
else
	ok "only libctl/buf.c writes ctl_rd/ctl_wr fields"
fi

: > "$T_TMP/shifts"
for f in $files; do
	case $f in libctl/buf.c) continue ;; libctl/*) hand_shifts "$f" >> "$T_TMP/shifts" ;; esac
done
if [ -s "$T_TMP/shifts" ]; then
	not_ok "libctl reads and writes multi-byte numbers only through buf.c; hand shifts in:"
	sed 's/^/#   /' "$T_TMP/shifts"
else
	ok "libctl reads and writes multi-byte numbers only through buf.c"
fi

finish
