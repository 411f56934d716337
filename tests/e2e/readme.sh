#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The operator's documentation holds what it shows:
#  1. doc/architecture.svg is well-formed XML (python3's xml.etree), loads
#     nothing from outside (no http(s) or file reference, no <image>, no
#     <script>), names the four service ports (69/udp, 6970/tcp, 2444/tcp,
#     2445/tcp) and the programs, and README.md links to it;
#  2. every command line in README.md's ```sh blocks that runs ctl-client,
#     phone-verifier, show-ctl, show-itl, ctl-tftpd, ctl-provider or
#     ctl-tvsd names only a subcommand the tool's --help lists and options
#     the built tool's --help lists (the subcommand's own --help for
#     ctl-client and phone-verifier), so a documented option that does not
#     exist fails here; the checker is first run on a made-up line with an
#     option no tool has, which must be refused;
#     The ctl-* units a systemctl or journalctl line names have their
#     systemd/NAME.service.in, and each make target a Makefile rule;
#     README's links reach a heading of it or a file of the tree;
#  3. README.md names the firewall ports and warns that make check and
#     make demo install packages as root.
. "$(dirname "$0")/../lib/e2e.sh"
cd "$TOP" || exit 1

SVG=$TOP/doc/architecture.svg
README=$TOP/README.md

# svg_check FILE: one line per finding, nothing when the picture is fine.
svg_check() {
	python3 - "$1" <<'PY'
import re, sys, xml.etree.ElementTree as ET
path = sys.argv[1]
try:
    root = ET.parse(path).getroot()
except (OSError, ET.ParseError) as e:
    print('%s: not well-formed XML: %s' % (path, e)); sys.exit(0)
if root.tag != '{http://www.w3.org/2000/svg}svg':
    print('%s: root element is %s, not svg' % (path, root.tag))
text = ' '.join(' '.join(el.itertext()) for el in root.iter('{http://www.w3.org/2000/svg}text'))
text = re.sub(r'\s+', ' ', text)
for want in ('69/udp', '6970/tcp', '2444/tcp', '2445/tcp', 'ctl-client', 'PKCS#11',
             'ctl-provider', 'ctl-tftpd', 'ctl-tvsd', 'CTLFile.tlv', 'ITLFile.tlv', '--admin'):
    if want not in text:
        print('%s: no text element says %s' % (path, want))
for el in root.iter():
    tag = el.tag.split('}')[-1]
    if tag in ('image', 'script', 'foreignObject'):
        print('%s: <%s> element (the picture must stand alone)' % (path, tag))
    for k, v in el.attrib.items():
        if k.split('}')[-1] == 'href' and not v.startswith('#'):
            print('%s: <%s> refers to %s outside the file' % (path, tag, v))
        if re.search(r'url\(\s*["\']?(?!#)', v) or re.match(r'\s*(https?|file|data):', v):
            print('%s: attribute %s="%s" loads something outside the file' % (path, k, v))
for el in root.iter('{http://www.w3.org/2000/svg}style'):
    if re.search(r'@import|url\(\s*["\']?(?!#)', el.text or ''):
        print('%s: <style> loads something outside the file' % path)
PY
}

# cmd_lines FILE: the tool command lines of FILE's ```sh blocks, one per
# line as "LINENO<TAB>TOOL<TAB>WORD<TAB>WORD...", continuation lines joined,
# comments dropped, pipelines and lists split; sudo, env and VAR=value
# prefixes and a path before the tool's name are skipped. A
# CTL_TFTPD_OPTS="..." line (ctl-tftpd.env) in any block counts as ctl-tftpd's,
# an ExecStart=... line (a unit drop-in) as the command it runs.
cmd_lines() {
	python3 - "$1" <<'PY'
import os, re, shlex, sys
TOOLS = {'ctl-client', 'phone-verifier', 'show-ctl', 'show-itl', 'ctl-tftpd', 'ctl-provider', 'ctl-tvsd'}
lines = open(sys.argv[1], encoding='utf-8').read().split('\n')
inblock, buf, start = False, '', 0
logical = []
for n, line in enumerate(lines, 1):
    s = line.strip()
    if s.startswith('```'):
        inblock = (not inblock) and s[3:].strip() in ('sh', 'shell', 'bash')
        continue
    if not inblock:
        continue
    if not buf:
        start = n
    if line.rstrip().endswith('\\'):
        buf += line.rstrip()[:-1] + ' '
        continue
    logical.append((start, buf + line)); buf = ''
# ctl-tftpd's options in the unit's environment file, and a unit's
# ExecStart= (a drop-in), in any block.
inb = False
for n, line in enumerate(lines, 1):
    if line.strip().startswith('```'):
        inb = not inb; continue
    m = re.match(r'\s*CTL_TFTPD_OPTS=(.*)$', line)
    if inb and m:
        logical.append((n, 'ctl-tftpd ' + ' '.join(shlex.split(m.group(1)))))
    m = re.match(r'\s*ExecStart=(.+)$', line)
    if inb and m:
        logical.append((n, m.group(1)))
for n, text in logical:
    try:
        lex = shlex.shlex(text, posix=True, punctuation_chars=';&|()<>')
        lex.whitespace_split = True
        lex.commenters = '#'
        words = list(lex)
    except ValueError as e:
        print('%d\t!\t%s' % (n, e)); continue
    cmd = []
    for w in words + [';']:
        if w and set(w) <= set(';&|()<>'):
            while cmd:
                if cmd[0] in ('-u', '-g', '--user', '--group') and len(cmd) > 1:
                    del cmd[:2]   # sudo -u USER
                elif (cmd[0] in ('sudo', 'env', 'exec', 'time', 'command') or
                      re.match(r'^[A-Za-z_][A-Za-z0-9_]*=', cmd[0]) or
                      (cmd[0].startswith('-') and cmd[0] != '--')):
                    cmd.pop(0)
                else:
                    break
            if cmd and os.path.basename(cmd[0]) in TOOLS:
                print('\t'.join([str(n), os.path.basename(cmd[0])] + cmd[1:]))
            cmd = []
        else:
            cmd.append(w)
PY
}

# help_opts TOOL [SUB]: the options the built tool's --help lists (long
# ones as --name, short ones as -x), one per line.
help_opts() {
	"$BIN/$1" ${2:+"$2"} --help 2>&1 |
		grep -oE '(^|[ [,|(])--?[A-Za-z0-9][A-Za-z0-9-]*' | sed 's/^[ [,|(]//' | sort -u
}

# subcommands TOOL: the commands TOOL --help lists (ctl-client and phone-verifier).
subcommands() {
	"$BIN/$1" --help 2>&1 | awk '/^(Commands|Usage):/{f=1} f && /^  +[a-z][a-z-]+( |$)/{print $1}' |
		grep -vE '^(ctl-client|phone-verifier)$' | sort -u
	"$BIN/$1" --help 2>&1 | sed -n "s/^ *\(usage: *\)*$1 \([a-z][a-z-]*\).*/\2/Ip" | sort -u
}

# check_file MD: one line per command-line word README shows that the tool
# does not accept; nothing when all are accepted.
check_file() {
	cmd_lines "$1" > "$T_TMP/cmds" || { echo "cannot read $1"; return; }
	while IFS='	' read -r lineno tool rest; do
		if [ "$tool" = "!" ]; then echo "$(basename "$1"):$lineno: cannot split: $rest"; continue; fi
		if [ ! -x "$BIN/$tool" ]; then echo "$(basename "$1"):$lineno: $tool is not built in $BIN"; continue; fi
		sub=""
		case $tool in
		ctl-client|phone-verifier)
			sub=$(printf '%s\n' "$rest" | tr '\t' '\n' | grep -v '^-' | head -1)
			if [ -n "$sub" ] && ! subcommands "$tool" | grep -qx -- "$sub"; then
				echo "$(basename "$1"):$lineno: $tool has no command $sub"; continue; fi
			;;
		esac
		help_opts "$tool" "$sub" > "$T_TMP/opts"
		printf '%s\n' "$rest" | tr '\t' '\n' | grep -E '^--?[A-Za-z]' | sed 's/=.*//' |
		while read -r opt; do
			case $opt in
			--*) grep -qx -- "$opt" "$T_TMP/opts" ||
				echo "$(basename "$1"):$lineno: $tool ${sub:+$sub }$opt is not in its --help" ;;
			*) # a bundle of short options: each letter on its own
				for c in $(printf '%s\n' "${opt#-}" | sed 's/./& /g'); do
					grep -qx -- "-$c" "$T_TMP/opts" ||
						echo "$(basename "$1"):$lineno: $tool -$c is not in its --help"
				done ;;
			esac
		done
	done < "$T_TMP/cmds"
}

# 1. The picture.
if [ -f "$SVG" ]; then
	svg_check "$SVG" > "$T_TMP/svg.out"
	if [ -s "$T_TMP/svg.out" ]; then not_ok "doc/architecture.svg"; sed 's/^/#   /' "$T_TMP/svg.out"
	else ok "doc/architecture.svg is well-formed, self-contained and names the four ports"; fi
else
	not_ok "doc/architecture.svg exists"
fi
printf '<svg xmlns="http://www.w3.org/2000/svg"><text>69/udp</text><image href="http://x/y.png"/></svg>\n' > "$T_TMP/bad.svg"
svg_check "$T_TMP/bad.svg" > "$T_TMP/svg.out"
printf '<svg xmlns="http://www.w3.org/2000/svg"><text>69/udp</svg>\n' > "$T_TMP/broken.svg"
svg_check "$T_TMP/broken.svg" >> "$T_TMP/svg.out"
if grep -q '<image> element' "$T_TMP/svg.out" && grep -q 'http://x/y.png' "$T_TMP/svg.out" &&
	grep -q 'no text element says 2444/tcp' "$T_TMP/svg.out" && grep -q 'broken.svg: not well-formed' "$T_TMP/svg.out"; then
	ok "the picture check refuses a broken picture, one that links out and one without the ports"
else
	not_ok "the picture check refuses a broken picture, one that links out and one without the ports"
	sed 's/^/#   /' "$T_TMP/svg.out"
fi
expect_grep "README.md links doc/architecture.svg" "(doc/architecture.svg)" "$README"

# 2. The command lines.
[ -x "$BIN/ctl-client" ] || not_ok "ctl-client is built in $BIN"
printf '```sh\nsudo ctl-client tokens --module /x.so \\\n    --no-such-option # a comment --not-this\nctl-tftpd -r /srv/tftp -Z | ctl-client frobnicate --json\nsudo -u ctl-suite ctl-tvsd --check-config --no-such-tvsd-option\n```\n```text\nCTL_TFTPD_OPTS="--http 0.0.0.0:6970 --no-such-tftpd-option"\n```\n```ini\nExecStart=/usr/sbin/ctl-provider --config /x --no-such-provider-option\n```\n' > "$T_TMP/bad.md"
check_file "$T_TMP/bad.md" > "$T_TMP/bad.out"
if grep -q 'tokens --no-such-option is not in' "$T_TMP/bad.out" && grep -q 'ctl-tftpd -Z is not in' "$T_TMP/bad.out" &&
	grep -q 'ctl-tftpd --no-such-tftpd-option is not in' "$T_TMP/bad.out" &&
	grep -q 'ctl-provider --no-such-provider-option is not in' "$T_TMP/bad.out" &&
	grep -q 'ctl-tvsd --no-such-tvsd-option is not in' "$T_TMP/bad.out" &&
	grep -q 'has no command frobnicate' "$T_TMP/bad.out" && ! grep -q -- '--not-this\|--module\|-r ' "$T_TMP/bad.out"; then
	ok "the command check refuses an option, a short option, an env-file or unit option and a command no tool has"
else
	not_ok "the command check refuses an option, a short option, an env-file or unit option and a command no tool has"
	sed 's/^/#   /' "$T_TMP/bad.out"
fi
cmd_lines "$README" | cut -f2 | sort -u > "$T_TMP/tools"
for t in ctl-client phone-verifier show-ctl ctl-tftpd ctl-provider ctl-tvsd; do
	if grep -qx "$t" "$T_TMP/tools"; then ok "README shows a $t command line"
	else not_ok "README shows a $t command line"; fi
done
check_file "$README" > "$T_TMP/readme.out"
if [ -s "$T_TMP/readme.out" ]; then
	not_ok "README's command lines use only options the tools accept"; sed 's/^/#   /' "$T_TMP/readme.out"
else
	ok "README's $(wc -l < "$T_TMP/cmds") command lines use only options the tools accept"
fi

# The units and make targets README's sh blocks name exist: each ctl-*
# unit a systemctl or journalctl line names has its systemd/NAME.service.in,
# each make target a rule in the Makefile.
others_check() {
	python3 - "$1" "$TOP" <<'PY'
import os, re, sys
md, top = sys.argv[1], sys.argv[2]
mk = open(os.path.join(top, 'Makefile'), encoding='utf-8').read()
rules = set(re.findall(r'^([A-Za-z][\w.-]*)\s*:(?!=)', mk, re.M))
inb = False
for n, line in enumerate(open(md, encoding='utf-8'), 1):
    if line.strip().startswith('```'):
        inb = (not inb) and line.strip()[3:].strip() in ('sh', 'shell', 'bash'); continue
    if not inb:
        continue
    code = line.split(' #')[0]
    if re.search(r'\b(systemctl|journalctl)\b', code):
        for unit in re.findall(r'(?<![\w/-])(ctl-[a-z]+)(?:\.service)?\b', code):
            if unit != 'ctl-suite' and not os.path.exists(os.path.join(top, 'systemd', unit + '.service.in')):
                print('%s:%d: no unit %s (systemd/%s.service.in)' % (os.path.basename(md), n, unit, unit))
    for m in re.finditer(r'(?:^|[;&|]\s*|sudo\s+)make((?:\s+[^\s;&|#]+)*)', code):
        for w in m.group(1).split():
            if not w.startswith('-') and '=' not in w and w not in rules:
                print('%s:%d: make %s: no such rule in the Makefile' % (os.path.basename(md), n, w))
PY
}
printf '```sh\nsudo systemctl enable --now ctl-provider ctl-nosuchd\nmake nosuchtarget PREFIX=/usr\n```\n' > "$T_TMP/bad2.md"
others_check "$T_TMP/bad2.md" > "$T_TMP/bad2.out"
if grep -q 'no unit ctl-nosuchd' "$T_TMP/bad2.out" && grep -q 'make nosuchtarget' "$T_TMP/bad2.out" &&
	! grep -q 'ctl-provider\|PREFIX' "$T_TMP/bad2.out"; then
	ok "the unit and make check refuses a unit and a target that do not exist"
else
	not_ok "the unit and make check refuses a unit and a target that do not exist"; sed 's/^/#   /' "$T_TMP/bad2.out"
fi
others_check "$README" > "$T_TMP/others.out"
if [ -s "$T_TMP/others.out" ]; then not_ok "README's units and make targets exist"; sed 's/^/#   /' "$T_TMP/others.out"
else ok "README's units and make targets exist"; fi

# Links: each [..](#anchor) names a heading (GitHub's slugs), each relative
# [..](path) a file of the tree.
links_check() {
	python3 - "$1" "$TOP" <<'PY'
import os, re, sys
md, top = sys.argv[1], sys.argv[2]
text = open(md, encoding='utf-8').read()
body = re.sub(r'```.*?```', '', text, flags=re.S)
slugs = set()
for h in re.findall(r'^#{1,6}\s+(.*)$', body, re.M):
    slugs.add(re.sub(r'[^\w\- ]', '', h.strip().lower()).replace(' ', '-'))
for m in re.finditer(r'\]\(([^)\s]+)\)', body):
    t = m.group(1)
    if t.startswith('#'):
        if t[1:] not in slugs:
            print('%s: link %s names no heading' % (os.path.basename(md), t))
    elif not re.match(r'^[a-z]+:', t) and not os.path.exists(os.path.join(top, t.split('#')[0])):
        print('%s: link %s names no file' % (os.path.basename(md), t))
PY
}
printf '# Top\n## A b: c\n[x](#a-b-c) [y](#nowhere) [z](doc/no-such.md) [w](README.md)\n' > "$T_TMP/bad3.md"
links_check "$T_TMP/bad3.md" > "$T_TMP/bad3.out"
if grep -q '#nowhere names no heading' "$T_TMP/bad3.out" && grep -q 'doc/no-such.md names no file' "$T_TMP/bad3.out" &&
	[ "$(wc -l < "$T_TMP/bad3.out")" -eq 2 ]; then
	ok "the link check refuses a missing heading and a missing file"
else
	not_ok "the link check refuses a missing heading and a missing file"; sed 's/^/#   /' "$T_TMP/bad3.out"
fi
links_check "$README" > "$T_TMP/links.out"
if [ -s "$T_TMP/links.out" ]; then not_ok "README's links reach their headings and files"; sed 's/^/#   /' "$T_TMP/links.out"
else ok "README's links reach their headings and files"; fi

# 3. Ports and the warning.
for p in 69/udp 6970/tcp 2444/tcp 2445/tcp; do expect_grep "README names port $p" "$p" "$README"; done
expect_grep "README warns that make check and make demo install packages as root" "install Debian packages" "$README"
finish
