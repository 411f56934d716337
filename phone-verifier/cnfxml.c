/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The configuration file scanner (cnfxml.h). One pass over the bytes with
 * a stack of open element names; the text of the few elements a phone
 * needs before it registers is collected (entities decoded) and checked
 * when the element closes. Everything else is skipped but still checked
 * for well-formed markup, so a damaged file is an error, not a guess.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cnfxml.h"

/* What the text of the element being read becomes. */
enum field {
	FD_NONE = 0, FD_MODE, FD_PROTO, FD_HOST, FD_SIP, FD_SECURED, FD_ETHERNET
};

struct scan {
	const uint8_t *p;
	size_t n, i;
	char stack[PV_CNF_MAX_DEPTH][PV_CNF_MAX_NAME + 1];
	size_t depth;
	int root_done;             /* the root element closed */
	enum field field;          /* text being collected, FD_NONE when none */
	size_t field_at;           /* its start tag's offset */
	char text[PV_CNF_MAX_TEXT + 1];
	size_t tlen;
	int in_member;             /* inside devicePool/callManagerGroup/members/member */
	struct pv_cnf_ccm cur;
	size_t member_at;
	unsigned priority;         /* of the start tag just read */
	struct pv_cnf *out;
	struct ctl_diag *d;
};

static enum ctl_err fail(struct scan *s, size_t at, enum ctl_err e, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static enum ctl_err
fail(struct scan *s, size_t at, enum ctl_err e, const char *fmt, ...)
{
	va_list ap;
	size_t k = 0;

	ctl_diag_clear(s->d);
	s->d->err = e;
	s->d->tag = -1;
	s->d->offset = at;
	/* ctl_diag_str prints "offset N: " for N > 0; offset 0 says it here. */
	if (at == 0)
		k = (size_t)snprintf(s->d->msg, sizeof(s->d->msg), "offset 0: ");
	va_start(ap, fmt);
	vsnprintf(s->d->msg + k, sizeof(s->d->msg) - k, fmt, ap);
	va_end(ap);
	return e;
}

static int
is_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int
is_name(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '.' || c == ':' || c >= 0x80;
}

/* Whether p at s->i starts with lit. */
static int
at(const struct scan *s, const char *lit)
{
	size_t l = strlen(lit);

	return s->n - s->i >= l && memcmp(s->p + s->i, lit, l) == 0;
}

/* Skips past the next end (comment, processing instruction, CDATA): CTL_OK or truncated. */
static enum ctl_err
skip_to(struct scan *s, const char *end, const char *what)
{
	size_t start = s->i, l = strlen(end);

	for (; s->n - s->i >= l; s->i++)
		if (memcmp(s->p + s->i, end, l) == 0) {
			s->i += l;
			return CTL_OK;
		}
	return fail(s, start, CTL_E_TRUNCATED, "%s not closed by '%s'", what, end);
}

/* ---- entities --------------------------------------------------------------------- */

/* UTF-8 of code point cp into out (4 bytes room): its length. */
static size_t
utf8(unsigned long cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* A character reference's digits (after "&#" or "&#x"): the code point, or 0 when invalid. */
static unsigned long
char_ref(const uint8_t *p, size_t n, int hex)
{
	unsigned long v = 0;
	size_t k;

	if (n == 0 || n > 8)
		return 0;
	for (k = 0; k < n; k++) {
		int c = p[k], dv;

		if (c >= '0' && c <= '9')
			dv = c - '0';
		else if (hex && c >= 'a' && c <= 'f')
			dv = c - 'a' + 10;
		else if (hex && c >= 'A' && c <= 'F')
			dv = c - 'A' + 10;
		else
			return 0;
		v = v * (hex ? 16u : 10u) + (unsigned long)dv;
	}
	/* XML's characters: no NUL, no surrogates, nothing past Unicode. */
	if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	return v;
}

/* Decodes the entity at s->i ('&') into out (4 bytes room): its length, or 0 (s->d set). */
static size_t
entity(struct scan *s, char *out)
{
	static const struct { const char *name; char c; } named[] = {
		{ "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' }, { "apos", '\'' },
	};
	size_t start = s->i, k, len;
	const uint8_t *semi;
	unsigned long cp;

	semi = memchr(s->p + start, ';', s->n - start < 12 ? s->n - start : 12);
	if (semi == NULL) {
		(void)fail(s, start, CTL_E_BAD_TAG, "'&' starts no entity (no ';' within 10 bytes)");
		return 0;
	}
	len = (size_t)(semi - (s->p + start)) - 1; /* the name between '&' and ';' */
	for (k = 0; k < sizeof(named) / sizeof(named[0]); k++)
		if (strlen(named[k].name) == len && memcmp(s->p + start + 1, named[k].name, len) == 0) {
			s->i = start + len + 2;
			out[0] = named[k].c;
			return 1;
		}
	if (len >= 2 && s->p[start + 1] == '#') {
		int hex = s->p[start + 2] == 'x';

		cp = char_ref(s->p + start + 2 + (hex ? 1 : 0), len - 1 - (hex ? 1 : 0), hex);
		if (cp != 0) {
			s->i = start + len + 2;
			return utf8(cp, out);
		}
	}
	(void)fail(s, start, CTL_E_BAD_TAG, "unknown or invalid entity '&%.*s;'", (int)len,
	           (const char *)s->p + start + 1);
	return 0;
}

/* ---- the elements read ---------------------------------------------------------------- */

/* Whether the open elements below the root are exactly path (NULL-terminated). */
static int
path_is(const struct scan *s, const char *const *path)
{
	size_t k;

	for (k = 0; path[k] != NULL; k++)
		if (k + 1 >= s->depth || strcmp(s->stack[k + 1], path[k]) != 0)
			return 0;
	return k + 1 == s->depth;
}

static const char *const p_mode[] = { "deviceSecurityMode", NULL };
static const char *const p_proto[] = { "deviceProtocol", NULL };
static const char *const p_member[] = { "devicePool", "callManagerGroup", "members", "member",
	NULL };
static const char *const p_host[] = { "devicePool", "callManagerGroup", "members", "member",
	"callManager", "processNodeName", NULL };
static const char *const p_sip[] = { "devicePool", "callManagerGroup", "members", "member",
	"callManager", "ports", "sipPort", NULL };
static const char *const p_secured[] = { "devicePool", "callManagerGroup", "members", "member",
	"callManager", "ports", "securedSipPort", NULL };
static const char *const p_eth[] = { "devicePool", "callManagerGroup", "members", "member",
	"callManager", "ports", "ethernetPhonePort", NULL };

/* The field the element just opened holds (the stack includes it). */
static enum field
field_of(const struct scan *s)
{
	if (path_is(s, p_mode))
		return FD_MODE;
	if (path_is(s, p_proto))
		return FD_PROTO;
	if (path_is(s, p_host))
		return FD_HOST;
	if (path_is(s, p_sip))
		return FD_SIP;
	if (path_is(s, p_secured))
		return FD_SECURED;
	if (path_is(s, p_eth))
		return FD_ETHERNET;
	return FD_NONE;
}

/* The collected text without surrounding white space, in place. */
static char *
trimmed(struct scan *s)
{
	char *t = s->text;
	size_t l = s->tlen;

	while (l > 0 && is_space((uint8_t)t[l - 1]))
		l--;
	t[l] = '\0';
	while (is_space((uint8_t)*t))
		t++;
	return t;
}

/* A decimal in [lo, hi], else 0 (never in range: lo >= 1). */
static unsigned
number(const char *t, unsigned lo, unsigned hi)
{
	unsigned long v = 0;

	if (*t == '\0' || strlen(t) > 6)
		return 0;
	for (; *t != '\0'; t++) {
		if (*t < '0' || *t > '9')
			return 0;
		v = v * 10u + (unsigned long)(*t - '0');
	}
	return v >= lo && v <= hi ? (unsigned)v : 0;
}

/* A port into *slot, once. */
static enum ctl_err
set_port(struct scan *s, unsigned *slot, const char *t, const char *name)
{
	unsigned v = number(t, 1, 65535);

	if (*slot != 0)
		return fail(s, s->field_at, CTL_E_DUP_TAG, "<%s> given twice in one callManager", name);
	if (v == 0)
		return fail(s, s->field_at, CTL_E_INVAL, "<%s> must be a port 1..65535, not '%.40s'",
		            name, t);
	*slot = v;
	return CTL_OK;
}

/* A host name or address: letters, digits and . - _ : [ ] only. */
static int
host_ok(const char *t)
{
	if (*t == '\0')
		return 0;
	for (; *t != '\0'; t++)
		if (!((*t >= 'a' && *t <= 'z') || (*t >= 'A' && *t <= 'Z') || (*t >= '0' && *t <= '9') ||
		      strchr(".-_:[]", *t) != NULL))
			return 0;
	return 1;
}

/* The element holding field s->field closed: its text checked and kept. */
static enum ctl_err
field_done(struct scan *s)
{
	const char *name = s->stack[s->depth - 1];
	char *t = trimmed(s);
	struct pv_cnf *o = s->out;

	switch (s->field) {
	case FD_MODE:
		if (o->mode != 0)
			return fail(s, s->field_at, CTL_E_DUP_TAG, "<deviceSecurityMode> given twice");
		if ((o->mode = (int)number(t, 1, 3)) == 0)
			return fail(s, s->field_at, CTL_E_INVAL, "<deviceSecurityMode> must be 1, 2 or 3, "
			            "not '%.40s'", t);
		return CTL_OK;
	case FD_PROTO:
		if (o->proto != PV_CNF_PROTO_UNKNOWN)
			return fail(s, s->field_at, CTL_E_DUP_TAG, "<deviceProtocol> given twice");
		o->proto = strcmp(t, "SIP") == 0 ? PV_CNF_SIP :
		           strcmp(t, "SCCP") == 0 ? PV_CNF_SCCP : PV_CNF_PROTO_UNKNOWN;
		return CTL_OK;
	case FD_HOST:
		if (s->cur.host[0] != '\0')
			return fail(s, s->field_at, CTL_E_DUP_TAG, "<processNodeName> given twice in one "
			            "callManager");
		if (!host_ok(t))
			return fail(s, s->field_at, CTL_E_INVAL, "<processNodeName> is no host name or "
			            "address: '%.60s'", t);
		snprintf(s->cur.host, sizeof(s->cur.host), "%s", t);
		return CTL_OK;
	case FD_SIP: return set_port(s, &s->cur.sip_port, t, name);
	case FD_SECURED: return set_port(s, &s->cur.secured_sip_port, t, name);
	case FD_ETHERNET: return set_port(s, &s->cur.ethernet_port, t, name);
	case FD_NONE: break;
	}
	return CTL_OK;
}

/* A member closed: its CallManager joins the list, by priority (stable). */
static enum ctl_err
member_done(struct scan *s)
{
	struct pv_cnf *o = s->out;
	size_t k;

	if (s->cur.host[0] == '\0')
		return fail(s, s->member_at, CTL_E_MISSING, "<member> without "
		            "<callManager><processNodeName>");
	if (o->nccm == PV_CNF_MAX_CCM)
		return fail(s, s->member_at, CTL_E_TOO_LARGE, "more than %d CallManagers",
		            PV_CNF_MAX_CCM);
	for (k = o->nccm; k > 0 && o->ccm[k - 1].priority > s->cur.priority; k--)
		o->ccm[k] = o->ccm[k - 1];
	o->ccm[k] = s->cur;
	o->nccm++;
	return CTL_OK;
}

/* ---- markup ------------------------------------------------------------------------------ */

/* A name at s->i into out: CTL_OK, or an error naming what it is for. */
static enum ctl_err
name(struct scan *s, char *out, const char *what)
{
	size_t start = s->i, l;

	while (s->i < s->n && is_name(s->p[s->i]))
		s->i++;
	l = s->i - start;
	if (l == 0)
		return fail(s, start, s->i >= s->n ? CTL_E_TRUNCATED : CTL_E_BAD_TAG,
		            "%s name expected", what);
	if (l > PV_CNF_MAX_NAME)
		return fail(s, start, CTL_E_TOO_LARGE, "%s name longer than %d bytes", what,
		            PV_CNF_MAX_NAME);
	memcpy(out, s->p + start, l);
	out[l] = '\0';
	return CTL_OK;
}

static void
skip_space(struct scan *s)
{
	while (s->i < s->n && is_space(s->p[s->i]))
		s->i++;
}

/* One attribute (name="value"); a member's priority is kept. */
static enum ctl_err
attribute(struct scan *s, const char *elem)
{
	char an[PV_CNF_MAX_NAME + 1], val[16];
	size_t start, vl = 0;
	uint8_t q;
	enum ctl_err r;

	if ((r = name(s, an, "attribute")) != CTL_OK)
		return r;
	skip_space(s);
	if (s->i >= s->n || s->p[s->i] != '=')
		return fail(s, s->i, s->i >= s->n ? CTL_E_TRUNCATED : CTL_E_BAD_TAG,
		            "'=' expected after attribute %s", an);
	s->i++;
	skip_space(s);
	if (s->i >= s->n || (s->p[s->i] != '"' && s->p[s->i] != '\''))
		return fail(s, s->i, s->i >= s->n ? CTL_E_TRUNCATED : CTL_E_BAD_TAG,
		            "quoted value expected for attribute %s", an);
	q = s->p[s->i++];
	start = s->i;
	while (s->i < s->n && s->p[s->i] != q) {
		char tmp[4];
		size_t k;

		if (s->p[s->i] == '<' || s->p[s->i] == 0)
			return fail(s, s->i, CTL_E_BAD_TAG, "%s inside the value of attribute %s",
			            s->p[s->i] == 0 ? "NUL byte" : "'<'", an);
		if (s->i - start > PV_CNF_MAX_ATTR)
			return fail(s, start, CTL_E_TOO_LARGE, "attribute %s longer than %d bytes", an,
			            PV_CNF_MAX_ATTR);
		if (s->p[s->i] == '&') {
			if ((k = entity(s, tmp)) == 0)
				return s->d->err;
		} else {
			tmp[0] = (char)s->p[s->i++];
			k = 1;
		}
		if (vl + k < sizeof(val)) {
			memcpy(val + vl, tmp, k);
			vl += k;
		} else {
			vl = sizeof(val); /* too long for a priority: never a number */
		}
	}
	if (s->i >= s->n)
		return fail(s, start, CTL_E_TRUNCATED, "value of attribute %s not closed", an);
	s->i++;
	if (strcmp(elem, "member") == 0 && strcmp(an, "priority") == 0) {
		unsigned v;

		val[vl < sizeof(val) ? vl : sizeof(val) - 1] = '\0';
		v = vl < sizeof(val) ? number(val, 1, 999999) : 0;
		if (v == 0 && strcmp(val, "0") != 0)
			return fail(s, start, CTL_E_INVAL, "member priority must be 0..999999, not '%s'",
			            val);
		s->priority = v;
	}
	return CTL_OK;
}

static enum ctl_err
open_elem(struct scan *s, size_t lt, const char *nm)
{
	if (s->field != FD_NONE)
		return fail(s, lt, CTL_E_BAD_TAG, "<%s> inside <%s>, which holds text only", nm,
		            s->stack[s->depth - 1]);
	if (s->depth == 0 && s->root_done)
		return fail(s, lt, CTL_E_BAD_TAG, "a second root element <%s>", nm);
	if (s->depth == 0 && strcmp(nm, "device") != 0)
		return fail(s, lt, CTL_E_BAD_TAG, "root element is <%s>, not <device>", nm);
	if (s->depth == PV_CNF_MAX_DEPTH)
		return fail(s, lt, CTL_E_TOO_LARGE, "elements nested deeper than %d",
		            PV_CNF_MAX_DEPTH);
	snprintf(s->stack[s->depth++], PV_CNF_MAX_NAME + 1, "%s", nm);
	if (path_is(s, p_member)) {
		memset(&s->cur, 0, sizeof(s->cur));
		s->cur.priority = s->priority;
		s->member_at = lt;
		s->in_member = 1;
	}
	s->field = field_of(s);
	s->field_at = lt;
	s->tlen = 0;
	return CTL_OK;
}

static enum ctl_err
close_elem(struct scan *s)
{
	enum ctl_err r = CTL_OK;

	if (s->field != FD_NONE && (r = field_done(s)) != CTL_OK)
		return r;
	s->field = FD_NONE;
	if (s->in_member && path_is(s, p_member)) {
		s->in_member = 0;
		r = member_done(s);
	}
	s->depth--;
	if (s->depth == 0)
		s->root_done = 1;
	return r;
}

/* "<name attr...>" or "<name .../>" at s->i ('<'). */
static enum ctl_err
start_tag(struct scan *s)
{
	char nm[PV_CNF_MAX_NAME + 1];
	size_t lt = s->i;
	enum ctl_err r;
	unsigned nattr = 0;

	s->i++;
	if ((r = name(s, nm, "element")) != CTL_OK)
		return r;
	s->priority = 0;
	for (;;) {
		int sp = s->i < s->n && is_space(s->p[s->i]);

		skip_space(s);
		if (s->i >= s->n)
			return fail(s, lt, CTL_E_TRUNCATED, "start tag <%s> not closed", nm);
		if (s->p[s->i] == '>' || (s->p[s->i] == '/' && s->i + 1 < s->n && s->p[s->i + 1] == '>'))
			break;
		if (!sp)
			return fail(s, s->i, CTL_E_BAD_TAG, "unexpected '%c' in start tag <%s>",
			            s->p[s->i] >= 0x20 && s->p[s->i] < 0x7f ? s->p[s->i] : '?', nm);
		if (++nattr > 32)
			return fail(s, lt, CTL_E_TOO_LARGE, "more than 32 attributes in <%s>", nm);
		if ((r = attribute(s, nm)) != CTL_OK)
			return r;
	}
	if ((r = open_elem(s, lt, nm)) != CTL_OK)
		return r;
	if (s->p[s->i] == '/') {
		s->i += 2;
		return close_elem(s);
	}
	s->i++;
	return CTL_OK;
}

/* "</name>" at s->i. */
static enum ctl_err
end_tag(struct scan *s)
{
	char nm[PV_CNF_MAX_NAME + 1];
	size_t lt = s->i;
	enum ctl_err r;

	s->i += 2;
	if ((r = name(s, nm, "end tag")) != CTL_OK)
		return r;
	skip_space(s);
	if (s->i >= s->n || s->p[s->i] != '>')
		return fail(s, lt, s->i >= s->n ? CTL_E_TRUNCATED : CTL_E_BAD_TAG,
		            "end tag </%s> not closed by '>'", nm);
	s->i++;
	if (s->depth == 0)
		return fail(s, lt, CTL_E_BAD_TAG, "end tag </%s> with no element open", nm);
	if (strcmp(nm, s->stack[s->depth - 1]) != 0)
		return fail(s, lt, CTL_E_BAD_TAG, "end tag </%s> closes <%s>", nm,
		            s->stack[s->depth - 1]);
	return close_elem(s);
}

/* Text bytes k[0..l) of an element: collected when read, else only checked. */
static enum ctl_err
text(struct scan *s, const char *k, size_t l, size_t where)
{
	size_t j;

	if (s->depth == 0) {
		for (j = 0; j < l; j++)
			if (!is_space((uint8_t)k[j]))
				return fail(s, where, CTL_E_BAD_TAG, "text outside the root element");
		return CTL_OK;
	}
	if (s->field == FD_NONE)
		return CTL_OK;
	if (s->tlen + l > PV_CNF_MAX_TEXT)
		return fail(s, s->field_at, CTL_E_TOO_LARGE, "<%s> holds more than %d bytes",
		            s->stack[s->depth - 1], PV_CNF_MAX_TEXT);
	memcpy(s->text + s->tlen, k, l);
	s->tlen += l;
	return CTL_OK;
}

/* One step: markup at '<', an entity, or one text byte. */
static enum ctl_err
step(struct scan *s)
{
	uint8_t c = s->p[s->i];
	size_t start = s->i, l;
	char tmp[4];

	if (c == 0)
		return fail(s, s->i, CTL_E_BAD_TAG, "NUL byte");
	if (c == '&') {
		if ((l = entity(s, tmp)) == 0)
			return s->d->err;
		return text(s, tmp, l, start);
	}
	if (c != '<') {
		s->i++;
		return text(s, (const char *)&c, 1, start);
	}
	if (at(s, "<?"))
		return skip_to(s, "?>", "processing instruction");
	if (at(s, "<!--"))
		return skip_to(s, "-->", "comment");
	if (at(s, "<![CDATA[")) {
		enum ctl_err r;

		if (s->depth == 0)
			return fail(s, start, CTL_E_BAD_TAG, "CDATA outside the root element");
		s->i += 9;
		if ((r = skip_to(s, "]]>", "CDATA section")) != CTL_OK)
			return r;
		return text(s, (const char *)s->p + start + 9, s->i - start - 12, start);
	}
	if (at(s, "<!"))
		return fail(s, start, CTL_E_BAD_TAG, "declarations (DOCTYPE, ENTITY) are not accepted");
	if (at(s, "</"))
		return end_tag(s);
	return start_tag(s);
}

enum ctl_err
pv_cnf_parse(const uint8_t *p, size_t n, struct pv_cnf *out, struct ctl_diag *d)
{
	struct scan s;
	enum ctl_err r;

	memset(out, 0, sizeof(*out));
	memset(&s, 0, sizeof(s));
	s.p = p;
	s.n = n;
	s.out = out;
	s.d = d;
	ctl_diag_clear(d);
	if (n > PV_CNF_MAX_BYTES)
		return fail(&s, 0, CTL_E_TOO_LARGE, "configuration file of %zu bytes, more than %u",
		            n, PV_CNF_MAX_BYTES);
	if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		s.i = 3; /* a UTF-8 byte order mark */
	while (s.i < s.n)
		if ((r = step(&s)) != CTL_OK) {
			memset(out, 0, sizeof(*out));
			return r;
		}
	r = CTL_OK;
	if (s.depth > 0)
		r = fail(&s, n, CTL_E_TRUNCATED, "the file ends inside <%s>", s.stack[s.depth - 1]);
	else if (!s.root_done)
		r = fail(&s, 0, CTL_E_MISSING, "no <device> element");
	if (r != CTL_OK)
		memset(out, 0, sizeof(*out));
	return r;
}

unsigned
pv_cnf_tls_port(const struct pv_cnf *c, const struct pv_cnf_ccm *m)
{
	if (c->proto == PV_CNF_SCCP)
		return m->ethernet_port != 0 && m->ethernet_port <= 65535u - 443u ?
		       m->ethernet_port + 443u : 2443u;
	return m->secured_sip_port != 0 ? m->secured_sip_port : 5061u;
}
