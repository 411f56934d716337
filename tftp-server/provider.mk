# tftp-server/provider.mk: the node's CTL Provider (ctl-provider, TCP 2444),
# show-ctl, and the provider test tool (tests/prov-tools/prov-tool).
PROV_SRCS := tftp-server/provider.c tftp-server/prov_config.c tftp-server/prov_auth.c \
	tftp-server/prov_store.c tftp-server/prov_tls.c tftp-server/prov_conn.c \
	tftp-server/prov_handlers.c tftp-server/prov_log.c tftp-server/prov_file.c \
	tftp-server/prov_limits.c tftp-server/priv.c tftp-server/logline.c
# Everything but main(): shared with the unit tests.
PROV_LIB_OBJS := $(filter-out $(OBJ)/tftp-server/provider.o,$(PROV_SRCS:%.c=$(OBJ)/%.o))
PROV_LIBS := -lcrypt -lpthread

BINS += $(BIN)/ctl-provider $(BIN)/show-ctl
TEST_HELPERS += $(BUILD)/tests/prov-tool
MAN_PAGES += doc/ctl-provider.8 doc/show-ctl.8

$(BIN)/ctl-provider: $(OBJ)/tftp-server/provider.o $(PROV_LIB_OBJS) $(LIBCTL_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(LIBCTL_A) $(SSL_LIBS) $(PROV_LIBS)

$(BIN)/show-ctl: $(OBJ)/tftp-server/show_ctl.o $(LIBCTL_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(LIBCTL_A) $(SSL_LIBS)

# A client for raw and hostile messages, and the 200-connection load test.
$(BUILD)/tests/prov-tool: $(OBJ)/tests/prov-tools/prov_tool.o $(LIBCTL_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(LIBCTL_A) $(SSL_LIBS) -lpthread

# The crash test's LD_PRELOAD shim: stops ctl-provider inside its atomic install.
TEST_HELPERS += $(BUILD)/tests/rename-pause.so
$(BUILD)/tests/rename-pause.so: tests/prov-tools/rename_pause.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -Wall -Wextra -Werror -fPIC -shared -o $@ $< -ldl

# Unit tests of the server pieces link the provider objects.
$(TBIN)/test_prov_server: $(PROV_LIB_OBJS)
TEST_LIBS_test_prov_server := $(PROV_LIBS)

# The provider message parser's fuzz target needs only libctl.
