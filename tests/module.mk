# SPDX-License-Identifier: Apache-2.0
# Unit tests mirror the sources: tests/unit/<module>/test_<file>.c is one
# Check binary, build/tests/test_<file>, linked with tests/lib/testutil.o and
# libctl. The module under test adds the objects or libraries a test needs
# as extra prerequisites of $(TBIN)/test_<file> (objects and archives are
# linked from $^) and extra link flags in TEST_LIBS_test_<file>.
UNIT_TEST_SRCS := $(wildcard tests/unit/*/test_*.c)
UNIT_TESTS += $(addprefix $(TBIN)/,$(basename $(notdir $(UNIT_TEST_SRCS))))
MOD_CFLAGS_tests := $(CHECK_CFLAGS) -Itests/lib -Wno-missing-prototypes $(LIBTFTP_CFLAGS) \
	-Itftp-server/common -Itftp-server/ctl-tftpd -Itftp-server/ctl-provider \
	-Ictl-client -Iphone-verifier $(P11_CFLAGS) $(LIBPROVCLIENT_CFLAGS)

define unit_test_rule
$(TBIN)/$(basename $(notdir $(1))): $(OBJ)/$(1:.c=.o)
endef
$(foreach s,$(UNIT_TEST_SRCS),$(eval $(call unit_test_rule,$(s))))

$(UNIT_TESTS): $(OBJ)/tests/lib/testutil.o $(LIBCTL_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(filter-out $(LIBCTL_A),$(filter %.a,$^)) \
		$(LIBCTL_A) $(TEST_LIBS_$(notdir $@)) $(SSL_LIBS) $(CHECK_LIBS)
