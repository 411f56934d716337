# SPDX-License-Identifier: Apache-2.0
# libprovclient: the client side of the CTL Provider protocol as a static
# library: targets and fingerprints, the TLS transport with its deadlines,
# known_hosts, the administrator password, a server's identity check and
# login, and the thread fan-out. ctl-client (the cluster commands) and
# phone-verifier (plan --providers) link $(LIBPROVCLIENT_A); it depends only
# on libctl (the message codec) and OpenSSL.
LIBPROVCLIENT_SRCS := $(wildcard libprovclient/*.c)
LIBPROVCLIENT_OBJS := $(LIBPROVCLIENT_SRCS:%.c=$(OBJ)/%.o)
LIBPROVCLIENT_A := $(LIB)/libprovclient.a
# Modules that use the client add this to their MOD_CFLAGS.
LIBPROVCLIENT_CFLAGS := -Ilibprovclient
LIBPROVCLIENT_LIBS := -lpthread

$(LIBPROVCLIENT_A): $(LIBPROVCLIENT_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

# Unit tests (tests/unit/libprovclient/): parsing, known_hosts, the session decisions.
$(TBIN)/test_prov_client $(TBIN)/test_prov_known $(TBIN)/test_prov_session: $(LIBPROVCLIENT_A)
TEST_LIBS_test_prov_client := $(LIBPROVCLIENT_LIBS)
TEST_LIBS_test_prov_known := $(LIBPROVCLIENT_LIBS)
TEST_LIBS_test_prov_session := $(LIBPROVCLIENT_LIBS)
