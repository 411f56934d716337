# SPDX-License-Identifier: Apache-2.0
# ctl-provider: the node's CTL Provider (TCP 2444, doc/provider-protocol.md).
PROV_SRCS := $(wildcard tftp-server/ctl-provider/*.c)
# Everything but main(): shared with the unit tests.
PROV_LIB_OBJS := $(filter-out $(OBJ)/tftp-server/ctl-provider/provider.o,$(PROV_SRCS:%.c=$(OBJ)/%.o)) \
	$(NODE_COMMON_OBJS) $(ADMIN_OBJS)
PROV_LIBS := $(P11_LIBS) -lcrypt -lpthread

BINS += $(BIN)/ctl-provider
MAN_PAGES += doc/ctl-provider.8

# prov_key.c loads token keys through libp11.
$(OBJ)/tftp-server/ctl-provider/prov_key.o: ALL_CFLAGS += $(P11_CFLAGS)

# The admin port (prov_admin.c) runs on libtftp's loop.
$(BIN)/ctl-provider: $(OBJ)/tftp-server/ctl-provider/provider.o $(PROV_LIB_OBJS) $(LIBTFTP_A) $(LIBCTL_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(LIBTFTP_A) $(LIBCTL_A) $(SSL_LIBS) $(PROV_LIBS)

# Its unit tests, one per source file (PROV_TESTS, set by
# tests/unit/ctl-provider/module.mk, which make reads first), link its objects.
$(addprefix $(TBIN)/,$(PROV_TESTS)): $(PROV_LIB_OBJS) $(LIBTFTP_A)
$(foreach t,$(PROV_TESTS),$(eval TEST_LIBS_$(t) := $(PROV_LIBS)))
