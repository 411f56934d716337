# SPDX-License-Identifier: Apache-2.0
# libp11shim.so: a pass-through PKCS#11 module that adds PIN lockout to
# SoftHSM2 (see p11shim.c), for the token tests. Built without sanitizers:
# pkcs11-tool and the plain ctl-client load it too.
P11SHIM := $(TBIN)/libp11shim.so
TEST_HELPERS += $(P11SHIM)

$(P11SHIM): tests/tools/p11shim/p11shim.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -D_GNU_SOURCE -O2 -g $(WARN) -fPIC -shared $(P11_CFLAGS) -o $@ $< -ldl
