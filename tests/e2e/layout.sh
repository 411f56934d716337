#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The tree keeps the shape doc/architecture.md describes:
#  1. no #include reaches into another folder with "../" (a folder's
#     headers come through its -I flag, so the dependency shows in a
#     module.mk);
#  2. a module.mk names only its own folder's files: an object
#     ($(OBJ)/<dir>/...) or a source or object path (<dir>/<name>.c or .o)
#     under another folder is refused. The one way to share objects is the
#     owner's module.mk adding its own objects as prerequisites of another
#     binary, or exporting them in a variable ($(LIBTFTP_A), P11_TEST_OBJS);
#     header lists (rebuild dependencies) are not object lists;
#  3. no comment in a source file (C, shell, make, Python) names a file the
#     repository does not have (*.md, *.c, *.h, *.sh, ..., "*-notes", or the
#     shared folder beside a checkout); a name the same file's code uses (a
#     file it writes, a header it includes) and system headers count;
#  4. the README's folder table lists every folder (the top ones, those of
#     tftp-server/ and tests/) and no other, and doc/architecture.md has a
#     paragraph on each;
#  5. no two files of one folder call each other: for each folder of
#     $BUILD/obj, the objects whose source still exists, an edge A -> B when
#     nm shows A using a symbol B defines, and any pair A <-> B fails.
# Each finding is listed with its file and line (or the two files and the
# symbols each uses of the other).
. "$(dirname "$0")/../lib/e2e.sh"
cd "$TOP" || exit 1

# layout_py TOP modules|dangling|folders|circles [BUILD]: one line per finding.
layout_py() {
	python3 - "$@" <<'PY'
import os, re, subprocess, sys

top, what = sys.argv[1], sys.argv[2]
arg = sys.argv[3] if len(sys.argv) > 3 else None

def tree_files():
    out = []
    for d, dirs, files in os.walk(top):
        rel = os.path.relpath(d, top)
        dirs[:] = sorted(x for x in dirs if not x.startswith('.') and
                         not (rel == '.' and x.startswith('build')))
        for f in sorted(files):
            out.append(os.path.normpath(os.path.join(rel, f)))
    return out

files = tree_files()
fileset = set(files)
tops = sorted({f.split('/')[0] for f in files if '/' in f})

def under(p, folder):
    return p == folder or p.startswith(folder + '/')

def modules():
    # Objects ($(OBJ)/<path>) and sources or objects named by path (<dir>/<name>.c or .o).
    obj_re = re.compile(r'\$\(OBJ\)/([\w.-][\w./*%-]*)')
    path_re = re.compile(r'(?<![\w$)./-])((?:%s)/[\w./*%%-]*\.[co])\b' % '|'.join(map(re.escape, tops)))
    for mk in (f for f in files if os.path.basename(f) == 'module.mk'):
        folder = os.path.dirname(mk)
        for n, line in enumerate(open(os.path.join(top, mk), encoding='utf-8', errors='replace'), 1):
            code = line.split('#', 1)[0]
            for m in list(obj_re.finditer(code)) + list(path_re.finditer(code)):
                if not under(m.group(1), folder):
                    print('%s:%d: names %s, a file of another folder (its owner exports it in a variable)' % (mk, n, m.group(0)))

NAME = re.compile(r'(?<![\w./<>*%${}-])(\w[\w./-]*\.(?:md|c|h|sh|inc|py|mk))(?![\w\[(])')
NOTES = re.compile(r'\b[\w-]+-notes\b|\.\./share[d]|share[d]/docs')
SRC_EXT = ('.c', '.h', '.sh', '.inc', '.mk', '.py')

def comments(path, text):
    """(line, comment text) pairs of a source file."""
    if path.endswith(('.c', '.h')):
        for m in re.finditer(r'/\*.*?\*/|//[^\n]*', text, re.S):
            yield text.count('\n', 0, m.start()) + 1, m.group(0)
        return
    for n, line in enumerate(text.split('\n'), 1):
        if n == 1 and line.startswith('#!'):
            continue
        m = re.search(r'(^|\s)#(.*)', line)
        if m:
            yield n, m.group(2)

def is_source(f):
    if f.endswith(SRC_EXT) or os.path.basename(f) in ('Makefile',):
        return True
    try:
        with open(os.path.join(top, f), 'rb') as fp:
            return fp.read(2) == b'#!'
    except OSError:
        return False

def exists(name, src, code):
    """name is in the tree, or the file's own code uses it (a file it writes,
    a header it includes), or it is a system header."""
    if name in code:
        return True
    if name.endswith('.h') and os.path.exists(os.path.join('/usr/include', name)):
        return True
    if '/' not in name:
        return any(os.path.basename(f) == name for f in files)
    for base in (os.path.dirname(src), '.'):
        p = os.path.normpath(os.path.join(base, name))
        if not p.startswith('..') and p in fileset:
            return True
    return any(f.endswith('/' + name) for f in files)

def dangling():
    for f in filter(is_source, files):
        text = open(os.path.join(top, f), encoding='utf-8', errors='replace').read()
        code = text
        for n, c in comments(f, text):
            code = code.replace(c, ' ', 1)
        for n, c in comments(f, text):
            for m in NOTES.finditer(c):
                print('%s:%d: names %s, which is not in the repository' % (f, n, m.group(0)))
            for m in NAME.finditer(c):
                if not exists(m.group(1), f, code):
                    print('%s:%d: names %s, which is not in the repository' % (f, n, m.group(1)))

def symbols(obj):
    defined, undef = set(), set()
    out = subprocess.run(['nm', '-P', obj], capture_output=True, text=True).stdout
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 2:
            continue
        (undef if parts[1] == 'U' else defined if parts[1] in 'TDBRGSCVWi' else set()).add(parts[0])
    return defined, undef

def circles():
    # A pair of object files of one folder where each calls (or uses) a
    # symbol the other defines. Objects whose source is gone are skipped.
    objroot = os.path.join(arg, 'obj')
    for d, dirs, names in sorted(os.walk(objroot)):
        dirs.sort()
        rel = os.path.relpath(d, objroot)
        objs = [n for n in sorted(names) if n.endswith('.o') and
                os.path.normpath(os.path.join(rel, n[:-2] + '.c')) in fileset]
        syms = {n: symbols(os.path.join(d, n)) for n in objs}
        uses = {a: {b for b in objs if b != a and syms[a][1] & syms[b][0]} for a in objs}
        for a in objs:
            for b in sorted(uses[a]):
                if a < b and a in uses[b]:
                    ab = sorted(syms[a][1] & syms[b][0])[:3]
                    ba = sorted(syms[b][1] & syms[a][0])[:3]
                    print('%s: %s.c <-> %s.c (%s calls %s; %s calls %s)' % (
                        rel, a[:-2], b[:-2], a[:-2], ','.join(ab), b[:-2], ','.join(ba)))

def folders():
    # The README's folder table and doc/architecture.md against the tree:
    # the top folders and those of tftp-server/ and tests/.
    dirs = (set(tops) - {'tftp-server', 'tests'}) | {os.path.dirname(f) for f in files
                        if f.startswith(('tftp-server/', 'tests/')) and f.count('/') >= 2}
    dirs = {d if d.count('/') < 2 else '/'.join(d.split('/')[:2]) for d in dirs}
    readme = open(os.path.join(top, 'README.md'), encoding='utf-8').read()
    table = [l for l in readme.split('\n') if l.startswith('| `')]
    named = set()
    for l in table:
        named |= {m.rstrip('/') for m in re.findall(r'`([\w./-]+/)`', l.split('|')[1])}
    arch_path = os.path.join(top, 'doc', 'architecture.md')
    arch = open(arch_path, encoding='utf-8').read() if os.path.exists(arch_path) else ''
    for d in sorted(dirs):
        if d not in named:
            print('README.md: the folder table does not list %s/' % d)
        if '`%s/`' % d not in arch:
            print('doc/architecture.md: no paragraph on %s/' % d)
    for d in sorted(d for d in named - dirs if not os.path.isdir(os.path.join(top, d))):
        print('README.md: the folder table lists %s/, which is not in the tree' % d)

{'modules': modules, 'dangling': dangling, 'circles': circles, 'folders': folders}[what]()
PY
}

# report DESC FINDINGS-FILE: ok when empty, else not ok with the findings.
report() {
	if [ ! -s "$2" ]; then ok "$1"; else
		not_ok "$1 ($(wc -l <"$2") found)"; sed 's/^/#   /' "$2" | head -40; fi
}

find . \( -path ./.git -o -path './build*' \) -prune -o -type f \( -name '*.c' -o -name '*.h' \) \
	-print | sort | xargs grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*["<][^">]*\.\./' \
	>"$T_TMP/dotdot" 2>/dev/null
report 'no #include with "../"' "$T_TMP/dotdot"

layout_py "$TOP" modules >"$T_TMP/modules" 2>&1
report "each module.mk names only its own folder's objects and sources" "$T_TMP/modules"

layout_py "$TOP" dangling >"$T_TMP/dangling" 2>&1
report "no comment names a file the repository does not have" "$T_TMP/dangling"

layout_py "$TOP" folders >"$T_TMP/folders" 2>&1
report "the README's folder table and doc/architecture.md match the tree" "$T_TMP/folders"

if [ -d "$BUILD/obj" ] && command -v nm >/dev/null; then
	layout_py "$TOP" circles "$BUILD" >"$T_TMP/circles" 2>&1
	report "no two files of one folder call each other ($BUILD/obj)" "$T_TMP/circles"
else
	not_ok "no objects in $BUILD/obj (or no nm) to check for circles"
fi
finish
