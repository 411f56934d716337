# SPDX-License-Identifier: Apache-2.0
# ctl-client: the administrator's tool. Only the token layer's p11_module.c,
# p11_token.c, p11_sign.c and p11_errq.c (behind p11_int.h) use libp11.
CLIENT_SRCS := $(wildcard ctl-client/*.c)
CLIENT_OBJS := $(CLIENT_SRCS:%.c=$(OBJ)/%.o)
MOD_CFLAGS_ctl-client := $(P11_CFLAGS) $(LIBPROVCLIENT_CFLAGS)
BINS += $(BIN)/ctl-client
MAN_PAGES += doc/ctl-client.1

$(BIN)/ctl-client: $(CLIENT_OBJS) $(LIBPROVCLIENT_A) $(LIBCTL_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $(CLIENT_OBJS) $(LIBPROVCLIENT_A) $(LIBCTL_A) $(P11_LIBS) $(SSL_LIBS) \
		-ldl $(LIBPROVCLIENT_LIBS)

# The token layer, linked by its unit tests and the token benchmark
# (bench/module.mk's bench-token).
P11_TEST_OBJS := $(addprefix $(OBJ)/ctl-client/,p11_module.o p11_token.o p11_sign.o p11_errq.o \
	p11err.o p11uri.o pin.o)
$(TBIN)/test_p11uri: $(OBJ)/ctl-client/p11uri.o $(OBJ)/ctl-client/p11err.o
$(TBIN)/test_p11err: $(OBJ)/ctl-client/p11err.o
$(TBIN)/test_pin: $(OBJ)/ctl-client/pin.o $(OBJ)/ctl-client/p11err.o
$(TBIN)/test_cli: $(OBJ)/ctl-client/cli.o $(OBJ)/ctl-client/cliopts.o
$(TBIN)/test_p11: $(P11_TEST_OBJS)
$(BUILD)/bench/bench-token: $(P11_TEST_OBJS)
TEST_LIBS_test_p11uri := $(P11_LIBS)
TEST_LIBS_test_p11 := $(P11_LIBS) -ldl

# The selector parser's fuzz target links only the parser and the token
# layer's error module (fuzz/module.mk builds it).
FUZZ_SRCS_fuzz_p11uri := ctl-client/p11uri.c ctl-client/p11err.c $(P11_CFLAGS) \
	$(shell $(PKG_CONFIG) --libs p11-kit-1 2>/dev/null || echo -lp11-kit)

# The cluster commands' decisions and reports, tested without the network.
CLUSTER_TEST_OBJS := $(addprefix $(OBJ)/ctl-client/,cluster_state.o cluster_report.o cluster_opts.o \
	cli.o cliopts.o) $(LIBPROVCLIENT_A)
$(TBIN)/test_cluster_state: $(CLUSTER_TEST_OBJS)
$(TBIN)/test_cluster_report: $(CLUSTER_TEST_OBJS)
$(TBIN)/test_cluster_opts: $(CLUSTER_TEST_OBJS)
TEST_LIBS_test_cluster_state := -lpthread
TEST_LIBS_test_cluster_report := -lpthread
TEST_LIBS_test_cluster_opts := -lpthread
$(TBIN)/test_cluster_sbd: $(CLUSTER_TEST_OBJS) $(OBJ)/ctl-client/cluster_sbd.o
TEST_LIBS_test_cluster_sbd := -lpthread
$(TBIN)/test_cluster_tl_rules: $(CLUSTER_TEST_OBJS) $(OBJ)/ctl-client/cluster_tl_rules.o
TEST_LIBS_test_cluster_tl_rules := -lpthread
$(TBIN)/test_cluster_plan: $(CLUSTER_TEST_OBJS) $(OBJ)/ctl-client/cluster_plan.o $(P11_TEST_OBJS)
TEST_LIBS_test_cluster_plan := -lpthread $(P11_LIBS) -ldl
