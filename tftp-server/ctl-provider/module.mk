# ctl-provider: the node's CTL Provider (TCP 2444, doc/provider-protocol.md).
PROV_SRCS := $(wildcard tftp-server/ctl-provider/*.c)
# Everything but main(): shared with the unit tests.
PROV_LIB_OBJS := $(filter-out $(OBJ)/tftp-server/ctl-provider/provider.o,$(PROV_SRCS:%.c=$(OBJ)/%.o)) \
	$(NODE_COMMON_OBJS)
PROV_LIBS := -lcrypt -lpthread

BINS += $(BIN)/ctl-provider
MAN_PAGES += doc/ctl-provider.8

$(BIN)/ctl-provider: $(OBJ)/tftp-server/ctl-provider/provider.o $(PROV_LIB_OBJS) $(LIBCTL_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(LIBCTL_A) $(SSL_LIBS) $(PROV_LIBS)

# Unit tests, one per source file (tests/unit/ctl-provider/test_<file>.c),
# link its objects and the fixtures they share (prov_fixture.c there).
PROV_TESTS := $(basename $(notdir $(wildcard tests/unit/ctl-provider/test_*.c)))
$(addprefix $(TBIN)/,$(PROV_TESTS)): $(PROV_LIB_OBJS) $(OBJ)/tests/unit/ctl-provider/prov_fixture.o
$(foreach t,$(PROV_TESTS),$(eval TEST_LIBS_$(t) := $(PROV_LIBS)))
