#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# ctl-tftpd's status page as a person sees it: a phone fleet boots against
# ctl-tftpd, then headless Chromium renders the page (--dump-dom) and the
# text it shows is checked (the served CTL's md5, the rollout counts equal
# to the fleet's, the certificate expiring in 30 days marked), and a
# screenshot is taken at a phone's width (kept in the test's temporary
# folder; ADMIN_SCREENSHOT=FILE copies it out). Chromium runs without
# background networking and with its profile in the temporary folder.
. "$(dirname "$0")/../lib/e2e.sh"

need_pki
command -v chromium >/dev/null || { echo "Bail out! chromium missing (scripts/install-deps)"; exit 1; }
PV=$BIN/phone-verifier
CC=$BIN/ctl-client
PHONES=${ADMIN_FLEET:-300}
R=$T_TMP/root
mkdir -p "$R"
md5() { md5sum < "$1" | cut -d' ' -f1; }

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$T_TMP/soon.key" \
	-out "$T_TMP/soon.pem" -days 30 -subj "/O=Example Voice/CN=soon.example.lab" 2>/dev/null ||
	{ echo "Bail out! openssl req failed"; exit 1; }
"$CC" build --out "$R/CTLFile.tlv" --sast "$PKI/sast1.pem" --sast "$PKI/sast2.pem" \
	--ccm-tftp "$PKI/ccm1.pem" --capf "$PKI/capf.pem" --ccm "$T_TMP/soon.pem,dns=soon.example.lab" \
	--sign-key "$PKI/sast1.key" --sign-cert "$PKI/sast1.pem" >/dev/null &&
"$CC" build --itl --tokenless --out "$R/ITLFile.tlv" --sast "$PKI/ccm1.pem" --ccm-tftp "$PKI/ccm1.pem" \
	--tvs "$PKI/tvs1.pem" --sign-key "$PKI/ccm1.key" --sign-cert "$PKI/ccm1.pem" >/dev/null ||
	{ echo "Bail out! ctl-client build failed"; exit 1; }
CTLMD5=$(md5 "$R/CTLFile.tlv")
ITLMD5=$(md5 "$R/ITLFile.tlv")

LOG=$T_TMP/tftpd.log
start_ctl_tftpd "$LOG" --root "$R" --admin 127.0.0.1:0 --timeout 50 --max-timeout 200 --retries 20
APORT=$(sed -n 's/.*listening on admin 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$LOG" | head -1)
[ -n "$APORT" ] || { echo "Bail out! no 'listening on admin' line"; exit 1; }
U=http://127.0.0.1:$APORT/

expect_exit "a fleet of $PHONES phones boots (exit 0)" 0 "$PV" fleet --count "$PHONES" --concurrency 100 \
	--tftp "127.0.0.1:$TPORT" --json
expect_grep "every phone holds the server's CTL and ITL" "\"server_md5_phones\":$PHONES" "$T_TMP/last.out"

# browse ARGS...: one bounded headless Chromium run, its profile in the test folder.
browse() {
	timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --disable-default-apps --disable-extensions \
		--no-first-run --no-default-browser-check --user-data-dir="$T_TMP/chromium" "$@" 2>>"$T_TMP/chromium.log"
}
browse --dump-dom "$U" >"$T_TMP/dom.html"
check "Chromium rendered the page" grep -q "ctl-tftpd status" "$T_TMP/dom.html"
# The text a person reads: the rendered DOM without its markup, one cell per line.
python3 - "$T_TMP/dom.html" >"$T_TMP/page.txt" <<'PY'
import html.parser, sys
class T(html.parser.HTMLParser):
    skip = 0
    def handle_starttag(self, tag, a):
        if tag in ("style", "script", "title"): self.skip += 1
        if tag in ("tr", "p", "h1", "h2"): sys.stdout.write("\n")
        if tag in ("td", "th"): sys.stdout.write(" | ")
    def handle_endtag(self, tag):
        if tag in ("style", "script", "title"): self.skip -= 1
    def handle_data(self, d):
        if not self.skip: sys.stdout.write(d)
T().feed(open(sys.argv[1], encoding="utf-8").read())
PY
expect_grep "reads: the served CTL's md5" " | MD5 | $CTLMD5" "$T_TMP/page.txt"
expect_grep "reads: the served ITL's md5" " | MD5 | $ITLMD5" "$T_TMP/page.txt"
expect_grep "reads: every phone seen" "Devices seen: $PHONES" "$T_TMP/page.txt"
expect_grep "reads: all on the current CTL, none older" " | CTL | $PHONES | $PHONES | 0 | 0" "$T_TMP/page.txt"
expect_grep "reads: all on the current ITL" " | ITL | $PHONES | $PHONES | 0 | 0" "$T_TMP/page.txt"
expect_grep "reads: the CTL version with its phone count" " | $CTLMD5 (current) | $PHONES |" "$T_TMP/page.txt"
check "reads: the 30-day certificate marked" grep -qE "soon\.example\.lab.* EXPIRES IN (29|30) DAYS" "$T_TMP/page.txt"
check "no script in the rendered page" sh -c "! grep -qi '<script' '$T_TMP/dom.html'"

browse --hide-scrollbars --window-size=412,2400 --screenshot="$T_TMP/page.png" "$U" >/dev/null
check "screenshot is a PNG" sh -c "head -c 8 '$T_TMP/page.png' | od -An -tx1 | grep -q '89 50 4e 47 0d 0a 1a 0a'"
check "screenshot is not blank (over 10 KB)" sh -c "[ \$(wc -c < '$T_TMP/page.png') -gt 10000 ]"
if [ -n "${ADMIN_SCREENSHOT:-}" ] && [ -s "$T_TMP/page.png" ]; then
	# Copied into the tree (doc/status-page.png): it carries the licence in a
	# tEXt chunk just after IHDR, where the licence check reads it.
	python3 - "$T_TMP/page.png" "$ADMIN_SCREENSHOT" <<'PY' && echo "# screenshot: $ADMIN_SCREENSHOT"
import struct, sys, zlib
b = open(sys.argv[1], 'rb').read()
end = 8 + 12 + struct.unpack('>I', b[8:12])[0]
t = b'tEXt' + b'Copyright\0SPDX-License-Identifier: Apache-2.0'
c = struct.pack('>I', len(t) - 4) + t + struct.pack('>I', zlib.crc32(t) & 0xffffffff)
open(sys.argv[2], 'wb').write(b[:end] + c + b[end:])
PY
fi
check "ctl-tftpd still running" kill -0 "$TFTPD_PID"
finish
