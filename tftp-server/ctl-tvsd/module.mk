# SPDX-License-Identifier: Apache-2.0
# ctl-tvsd: the node's Trust Verification Service (TCP 2445, doc/tvs-protocol.md).
TVSD_SRCS := $(wildcard tftp-server/ctl-tvsd/*.c)
TVSD_LIBS := -lpthread
# The unit tests include tvsd.h.
MOD_CFLAGS_tests += -Itftp-server/ctl-tvsd

# Unit tests (tests/unit/ctl-tvsd/) link the pieces they test.
TVSD_O := $(OBJ)/tftp-server/ctl-tvsd
$(TBIN)/test_tvsd_config: $(TVSD_O)/tvsd_config.o
$(TBIN)/test_tvsd_name: $(TVSD_O)/tvsd_name.o
$(TBIN)/test_tvsd_store: $(TVSD_O)/tvsd_store.o $(TVSD_O)/tvsd_name.o $(TVSD_O)/tvsd_config.o
$(TBIN)/test_tvsd_holder: $(TVSD_O)/tvsd_holder.o $(TVSD_O)/tvsd_store.o $(TVSD_O)/tvsd_name.o \
	$(TVSD_O)/tvsd_config.o
