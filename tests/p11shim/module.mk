# Test helpers for the token tests (issue 4):
#  - libp11shim.so, a pass-through PKCS#11 module that adds PIN lockout to
#    SoftHSM2 (see p11shim.c). Built without sanitizers: pkcs11-tool and the
#    plain ctl-client load it too.
#  - the unit tests of ctl-client's token layer link its objects.
P11SHIM := $(TBIN)/libp11shim.so
TEST_HELPERS += $(P11SHIM)
MOD_CFLAGS_tests += $(P11_CFLAGS)

$(P11SHIM): tests/p11shim/p11shim.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -D_GNU_SOURCE -O2 -g $(WARN) -fPIC -shared $(P11_CFLAGS) -o $@ $< -ldl

P11_TEST_OBJS := $(OBJ)/ctl-client/p11.o $(OBJ)/ctl-client/p11uri.o $(OBJ)/ctl-client/pin.o
$(TBIN)/test_p11uri: $(P11_TEST_OBJS)
$(TBIN)/test_p11: $(P11_TEST_OBJS)
TEST_LIBS_test_p11uri := $(P11_LIBS) -ldl
TEST_LIBS_test_p11 := $(P11_LIBS) -ldl

# make bench: signatures per second on a SoftHSM2 token vs raw OpenSSL (tests/bench-token.sh).
BENCH_BINS += $(BUILD)/bench/bench-token
$(BUILD)/bench/bench-token: $(OBJ)/tests/p11shim/bench_token.o $(P11_TEST_OBJS) $(LIBCTL_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(LIBCTL_A) $(P11_LIBS) $(SSL_LIBS) -ldl
