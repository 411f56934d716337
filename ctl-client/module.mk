# ctl-client: the administrator's tool. p11.c is the only file that uses libp11.
CLIENT_SRCS := $(wildcard ctl-client/*.c)
CLIENT_OBJS := $(CLIENT_SRCS:%.c=$(OBJ)/%.o)
MOD_CFLAGS_ctl-client := $(P11_CFLAGS)
BINS += $(BIN)/ctl-client
MAN_PAGES += doc/ctl-client.1

$(BIN)/ctl-client: $(CLIENT_OBJS) $(LIBCTL_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $(CLIENT_OBJS) $(LIBCTL_A) $(P11_LIBS) $(SSL_LIBS) -ldl

# Unit tests of the server identities (known_hosts) and the secret memory.
$(TBIN)/test_prov_known: $(OBJ)/ctl-client/prov_known.o $(OBJ)/ctl-client/prov_client.o \
	$(OBJ)/ctl-client/secmem.o
TEST_LIBS_test_prov_known := -lpthread

# The token layer, linked by its unit tests and the token benchmark
# (bench/module.mk's bench-token).
P11_TEST_OBJS := $(OBJ)/ctl-client/p11.o $(OBJ)/ctl-client/p11uri.o $(OBJ)/ctl-client/pin.o
$(TBIN)/test_p11uri: $(P11_TEST_OBJS)
$(TBIN)/test_p11: $(P11_TEST_OBJS)
$(BUILD)/bench/bench-token: $(P11_TEST_OBJS)
TEST_LIBS_test_p11uri := $(P11_LIBS) -ldl
TEST_LIBS_test_p11 := $(P11_LIBS) -ldl
