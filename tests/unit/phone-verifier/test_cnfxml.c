/* SPDX-License-Identifier: Apache-2.0 */
/*
 * phone-verifier/cnfxml.c: a CUCM-shaped SEP<MAC>.cnf.xml (declaration,
 * attributes, comments, two CallManagers out of priority order, entities)
 * read field for field; the TLS port rule; and hostile inputs, each
 * refused with its error code and the byte offset of the fault: bad
 * nesting, unknown entities, DOCTYPE, depth and length limits, values out
 * of range, duplicates, truncation at every length of a good file.
 */
#include <stdio.h>
#include <string.h>

#include "cnfxml.h"
#include "testutil.h"

static const char good[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<device xsi:type=\"axl:XIPPhone\" ctiid=\"548\" uuid=\"{7fe8bd6e}\">\n"
	"<fullConfig>true</fullConfig>\n"
	"<deviceProtocol>SIP</deviceProtocol>\n"
	"<!-- a comment with <tags> & ampersands -->\n"
	"<devicePool uuid=\"{c858bf9a}\">\n"
	"<name>Sub &amp; Pub</name>\n"
	"<callManagerGroup>\n<name>Prefer Sub then Pub</name>\n<members>\n"
	"<member  priority=\"1\">\n<callManager>\n<name>cucm-pub</name>\n"
	"<ports>\n<ethernetPhonePort>2000</ethernetPhonePort>\n<sipPort>5060</sipPort>\n"
	"<securedSipPort>5061</securedSipPort>\n"
	"<mgcpPorts>\n<listen>2427</listen>\n<keepAlive>2428</keepAlive>\n</mgcpPorts>\n</ports>\n"
	"<processNodeName>cucm-pub.example.lab</processNodeName>\n</callManager>\n</member>\n"
	"<member priority='0'>\n<callManager>\n<ports><securedSipPort>15061</securedSipPort></ports>\n"
	"<processNodeName> 192.0.2.&#49;2 </processNodeName>\n</callManager>\n</member>\n"
	"</members>\n</callManagerGroup>\n</devicePool>\n"
	"<TVS><members><member priority=\"0\"><port>2445</port><address>192.0.2.11</address>"
	"</member></members></TVS>\n"
	"<deviceSecurityMode>2</deviceSecurityMode>\n"
	"<loadInformation><![CDATA[sip88xx.14-2-1]]></loadInformation>\n"
	"</device>\n";

static enum ctl_err
parse(const char *x, struct pv_cnf *c, struct ctl_diag *d)
{
	return pv_cnf_parse((const uint8_t *)x, strlen(x), c, d);
}

START_TEST(cucm_file)
{
	struct pv_cnf c;
	struct ctl_diag d;

	ck_assert_int_eq(parse(good, &c, &d), CTL_OK);
	ck_assert_int_eq(c.mode, 2);
	ck_assert_int_eq(c.proto, PV_CNF_SIP);
	ck_assert_uint_eq(c.nccm, 2);
	/* priority 0 first, whatever the file order; the TVS members are not CallManagers */
	ck_assert_str_eq(c.ccm[0].host, "192.0.2.12");
	ck_assert_uint_eq(c.ccm[0].priority, 0);
	ck_assert_uint_eq(c.ccm[0].secured_sip_port, 15061);
	ck_assert_uint_eq(c.ccm[0].sip_port, 0);
	ck_assert_str_eq(c.ccm[1].host, "cucm-pub.example.lab");
	ck_assert_uint_eq(c.ccm[1].priority, 1);
	ck_assert_uint_eq(c.ccm[1].sip_port, 5060);
	ck_assert_uint_eq(c.ccm[1].secured_sip_port, 5061);
	ck_assert_uint_eq(c.ccm[1].ethernet_port, 2000);
	ck_assert_uint_eq(pv_cnf_tls_port(&c, &c.ccm[0]), 15061);
	ck_assert_uint_eq(pv_cnf_tls_port(&c, &c.ccm[1]), 5061);
}
END_TEST

START_TEST(ports_and_defaults)
{
	struct pv_cnf c;
	struct ctl_diag d;

	ck_assert_int_eq(parse("<device><deviceProtocol>SCCP</deviceProtocol><devicePool>"
	                       "<callManagerGroup><members><member><callManager><ports>"
	                       "<ethernetPhonePort>2000</ethernetPhonePort></ports>"
	                       "<processNodeName>cm1</processNodeName></callManager></member>"
	                       "<member><callManager><processNodeName>cm2</processNodeName>"
	                       "</callManager></member></members></callManagerGroup></devicePool>"
	                       "</device>", &c, &d), CTL_OK);
	ck_assert_int_eq(c.mode, 0);
	ck_assert_int_eq(c.proto, PV_CNF_SCCP);
	ck_assert_uint_eq(c.nccm, 2);
	ck_assert_str_eq(c.ccm[0].host, "cm1");
	ck_assert_str_eq(c.ccm[1].host, "cm2");
	ck_assert_uint_eq(pv_cnf_tls_port(&c, &c.ccm[0]), 2443);
	ck_assert_uint_eq(pv_cnf_tls_port(&c, &c.ccm[1]), 2443);
	c.proto = PV_CNF_SIP;
	ck_assert_uint_eq(pv_cnf_tls_port(&c, &c.ccm[1]), 5061);
	/* empty elements and a self-closed root */
	ck_assert_int_eq(parse("<device/>", &c, &d), CTL_OK);
	ck_assert_uint_eq(c.nccm, 0);
	ck_assert_int_eq(parse("\xEF\xBB\xBF<device><deviceSecurityMode>\n 3 \n</deviceSecurityMode>"
	                       "<x a='&lt;&#x41;&gt;'/></device>", &c, &d), CTL_OK);
	ck_assert_int_eq(c.mode, 3);
}
END_TEST

/* Refused with code e, the diagnostic holding want (the offset and what). */
static void
refused(const char *x, enum ctl_err e, const char *want)
{
	struct pv_cnf c;
	struct ctl_diag d;
	char buf[700];

	enum ctl_err r;

	memset(&c, 0x5a, sizeof(c));
	r = parse(x, &c, &d);
	ctl_diag_str(&d, buf, sizeof(buf));
	ck_assert_msg(r == e, "code %d, wanted %d: '%s' (input %s)", r, e, buf, x);
	ck_assert_msg(strstr(buf, want) != NULL, "'%s' not in '%s' (input %s)", want, buf, x);
	/* nothing half-read is left behind */
	ck_assert_int_eq(c.mode, 0);
	ck_assert_uint_eq(c.nccm, 0);
}

START_TEST(hostile)
{
	refused("", CTL_E_MISSING, "offset 0: no <device> element");
	refused("  \n", CTL_E_MISSING, "no <device> element");
	refused("<config/>", CTL_E_BAD_TAG, "offset 0: root element is <config>, not <device>");
	refused("<device></devices>", CTL_E_BAD_TAG, "offset 8: end tag </devices> closes <device>");
	refused("<device><a></b></device>", CTL_E_BAD_TAG, "offset 11: end tag </b> closes <a>");
	refused("<device>", CTL_E_TRUNCATED, "offset 8: the file ends inside <device>");
	refused("<device><a x=\"1></a></device>", CTL_E_BAD_TAG, "'<' inside the value of attribute x");
	refused("<device><a x=1/></device>", CTL_E_BAD_TAG, "offset 13: quoted value expected");
	refused("<device><a x='1'y='2'/></device>", CTL_E_BAD_TAG, "offset 16: unexpected 'y'");
	refused("<device>&bogus;</device>", CTL_E_BAD_TAG, "offset 8: unknown or invalid entity '&bogus;'");
	refused("<device>&#0;</device>", CTL_E_BAD_TAG, "invalid entity '&#0;'");
	refused("<device>&#xD800;</device>", CTL_E_BAD_TAG, "invalid entity");
	refused("<device>&#x110000;</device>", CTL_E_BAD_TAG, "invalid entity");
	refused("<device>a & b</device>", CTL_E_BAD_TAG, "offset 10: '&' starts no entity");
	refused("<!DOCTYPE device [<!ENTITY x \"y\">]><device/>", CTL_E_BAD_TAG,
	        "offset 0: declarations (DOCTYPE, ENTITY) are not accepted");
	refused("<device><!-- open", CTL_E_TRUNCATED, "offset 8: comment not closed by '-->'");
	refused("<device><![CDATA[x</device>", CTL_E_TRUNCATED, "CDATA section not closed");
	refused("<device/><device/>", CTL_E_BAD_TAG, "offset 9: a second root element <device>");
	refused("<device/>junk", CTL_E_BAD_TAG, "offset 9: text outside the root element");
	{
		static const uint8_t nul[] = "<device>\0</device>";
		struct pv_cnf c;
		struct ctl_diag d;
		char buf[700];

		ck_assert_int_eq(pv_cnf_parse(nul, sizeof(nul) - 1, &c, &d), CTL_E_BAD_TAG);
		ck_assert_str_eq(ctl_diag_str(&d, buf, sizeof(buf)), "offset 8: NUL byte");
	}
	refused("<device><deviceSecurityMode>4</deviceSecurityMode></device>", CTL_E_INVAL,
	        "offset 8: <deviceSecurityMode> must be 1, 2 or 3, not '4'");
	refused("<device><deviceSecurityMode>2x</deviceSecurityMode></device>", CTL_E_INVAL,
	        "not '2x'");
	refused("<device><deviceSecurityMode>2</deviceSecurityMode>"
	        "<deviceSecurityMode>1</deviceSecurityMode></device>", CTL_E_DUP_TAG,
	        "offset 50: <deviceSecurityMode> given twice");
	refused("<device><deviceSecurityMode><b/>2</deviceSecurityMode></device>", CTL_E_BAD_TAG,
	        "offset 28: <b> inside <deviceSecurityMode>, which holds text only");
	refused("<device><devicePool><callManagerGroup><members><member><callManager><ports>"
	        "<securedSipPort>70000</securedSipPort></ports><processNodeName>a</processNodeName>"
	        "</callManager></member></members></callManagerGroup></devicePool></device>",
	        CTL_E_INVAL, "<securedSipPort> must be a port 1..65535, not '70000'");
	refused("<device><devicePool><callManagerGroup><members><member priority=\"x\">"
	        "</member></members></callManagerGroup></devicePool></device>", CTL_E_INVAL,
	        "member priority must be 0..999999, not 'x'");
	refused("<device><devicePool><callManagerGroup><members><member><callManager>"
	        "<processNodeName>evil host;rm</processNodeName></callManager></member></members>"
	        "</callManagerGroup></devicePool></device>", CTL_E_INVAL,
	        "<processNodeName> is no host name or address");
	refused("<device><devicePool><callManagerGroup><members><member priority=\"0\">"
	        "<callManager/></member></members></callManagerGroup></devicePool></device>",
	        CTL_E_MISSING, "offset 47: <member> without <callManager><processNodeName>");
}
END_TEST

START_TEST(limits)
{
	char buf[8192], *p;
	size_t k;

	/* depth: 31 below the root is fine, 32 is not */
	p = buf;
	p += sprintf(p, "<device>");
	for (k = 0; k < 31; k++)
		p += sprintf(p, "<a>");
	for (k = 0; k < 31; k++)
		p += sprintf(p, "</a>");
	sprintf(p, "</device>");
	{
		struct pv_cnf c;
		struct ctl_diag d;

		ck_assert_int_eq(parse(buf, &c, &d), CTL_OK);
	}
	p = buf;
	p += sprintf(p, "<device>");
	for (k = 0; k < 32; k++)
		p += sprintf(p, "<a>");
	sprintf(p, "x");
	refused(buf, CTL_E_TOO_LARGE, "offset 101: elements nested deeper than 32");
	/* a 65-byte name, a 256-byte field text, a 1025-byte attribute, 33 attributes */
	sprintf(buf, "<device><%065d/></device>", 0);
	refused(buf, CTL_E_TOO_LARGE, "offset 9: element name longer than 64 bytes");
	p = buf + sprintf(buf, "<device><deviceProtocol>");
	memset(p, 'S', 256);
	sprintf(p + 256, "</deviceProtocol></device>");
	refused(buf, CTL_E_TOO_LARGE, "offset 8: <deviceProtocol> holds more than 255 bytes");
	p = buf + sprintf(buf, "<device a=\"");
	memset(p, 'v', 1030);
	sprintf(p + 1030, "\"/>");
	refused(buf, CTL_E_TOO_LARGE, "offset 11: attribute a longer than 1024 bytes");
	p = buf + sprintf(buf, "<device");
	for (k = 0; k < 33; k++)
		p += sprintf(p, " a%zu='1'", k);
	sprintf(p, "/>");
	refused(buf, CTL_E_TOO_LARGE, "offset 0: more than 32 attributes in <device>");
	/* nine CallManagers */
	p = buf + sprintf(buf, "<device><devicePool><callManagerGroup><members>");
	for (k = 0; k < 9; k++)
		p += sprintf(p, "<member><callManager><processNodeName>cm%zu</processNodeName>"
		             "</callManager></member>", k);
	sprintf(p, "</members></callManagerGroup></devicePool></device>");
	refused(buf, CTL_E_TOO_LARGE, "more than 8 CallManagers");
}
END_TEST

START_TEST(every_truncation)
{
	size_t n = strlen(good), k;
	struct pv_cnf c;
	struct ctl_diag d;

	/* Every cut of the good file before its root closes is an error; none reads past k. */
	for (k = 0; k < n; k++) {
		uint8_t *copy = malloc(k > 0 ? k : 1);
		enum ctl_err r;

		ck_assert_ptr_nonnull(copy);
		memcpy(copy, good, k);
		r = pv_cnf_parse(copy, k, &c, &d);
		if (k < n - 1)  /* the last byte is the newline after </device> */
			ck_assert_msg(r != CTL_OK, "a cut at %zu parsed", k);
		free(copy);
	}
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("cnfxml");
	TCase *tc = tcase_create("ok");

	tcase_add_test(tc, cucm_file);
	tcase_add_test(tc, ports_and_defaults);
	tcase_add_test(tc, hostile);
	tcase_add_test(tc, limits);
	tcase_add_test(tc, every_truncation);
	suite_add_tcase(s, tc);
	return s;
}

CTL_TEST_MAIN(make_suite)
