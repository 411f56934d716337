# SPDX-License-Identifier: Apache-2.0
# ctl-tvsd: the node's Trust Verification Service (TCP 2445, doc/tvs-protocol.md).
TVSD_SRCS := $(wildcard tftp-server/ctl-tvsd/*.c)
TVSD_LIBS := -lpthread
# The unit tests include tvsd.h.
MOD_CFLAGS_tests += -Itftp-server/ctl-tvsd

# Unit tests (tests/unit/ctl-tvsd/) link the pieces they test.
TVSD_O := $(OBJ)/tftp-server/ctl-tvsd
$(TBIN)/test_tvsd_config: $(TVSD_O)/tvsd_config.o
# The configuration and the store read values through common/kvconf.c.
$(TBIN)/test_tvsd_config $(TBIN)/test_tvsd_store $(TBIN)/test_tvsd_holder \
	$(TBIN)/test_tvsd_answer: $(NODE_COMMON_OBJS)
$(TBIN)/test_tvsd_store: $(TVSD_O)/tvsd_store.o $(TVSD_O)/tvsd_config.o
$(TBIN)/test_tvsd_holder: $(TVSD_O)/tvsd_holder.o $(TVSD_O)/tvsd_store.o \
	$(TVSD_O)/tvsd_config.o $(TVSD_O)/tvsd_tls.o
$(TBIN)/test_tvsd_answer: $(TVSD_O)/tvsd_answer.o $(TVSD_O)/tvsd_store.o \
	$(TVSD_O)/tvsd_config.o

# Everything but main(), for the daemon.
TVSD_LIB_OBJS := $(filter-out $(TVSD_O)/tvsd.o,$(TVSD_SRCS:%.c=$(OBJ)/%.o)) $(NODE_COMMON_OBJS)
BINS += $(BIN)/ctl-tvsd
MAN_PAGES += doc/ctl-tvsd.8

$(BIN)/ctl-tvsd: $(TVSD_O)/tvsd.o $(TVSD_LIB_OBJS) $(LIBCTL_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(LIBCTL_A) $(SSL_LIBS) $(TVSD_LIBS)
