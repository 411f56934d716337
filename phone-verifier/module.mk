# SPDX-License-Identifier: Apache-2.0
# phone-verifier: emulated phones booting against a TFTP server, on libtftp's
# client engine (one TFTP client in the project).
PV_SRCS := $(wildcard phone-verifier/*.c)
PV_OBJS := $(PV_SRCS:%.c=$(OBJ)/%.o)
MOD_CFLAGS_phone-verifier := $(LIBTFTP_CFLAGS) $(LIBPROVCLIENT_CFLAGS)
BINS += $(BIN)/phone-verifier
MAN_PAGES += doc/phone-verifier.1

$(BIN)/phone-verifier: $(PV_OBJS) $(LIBTFTP_A) $(LIBPROVCLIENT_A) $(LIBCTL_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $(PV_OBJS) $(LIBTFTP_A) $(LIBPROVCLIENT_A) $(LIBCTL_A) $(SSL_LIBS) \
		$(LIBPROVCLIENT_LIBS)

# The trust rules are tested without the network (tests/unit/phone-verifier/).
$(TBIN)/test_trust: $(OBJ)/phone-verifier/trust.o
$(TBIN)/test_tvs_cache: $(OBJ)/phone-verifier/tvs_cache.o $(OBJ)/phone-verifier/trust.o
# The tvs-cache file parser's fuzz target (fuzz/fuzz_tvs_cache.c).
FUZZ_SRCS_fuzz_tvs_cache := phone-verifier/tvs_cache.c phone-verifier/trust.c -Iphone-verifier
# The boot steps run without a network through env->get and report events;
# boot.c links without console.c: it prints nothing.
$(TBIN)/test_boot: $(OBJ)/phone-verifier/boot.o $(OBJ)/phone-verifier/env.o \
	$(OBJ)/phone-verifier/trust.o $(OBJ)/phone-verifier/tvs_cache.o \
	$(OBJ)/phone-verifier/verdicts.o $(LIBTFTP_A)
# The encrypted-configuration steps on the same fake engine.
$(TBIN)/test_boot_enc: $(OBJ)/phone-verifier/boot_enc.o $(OBJ)/phone-verifier/boot.o \
	$(OBJ)/phone-verifier/env.o $(OBJ)/phone-verifier/trust.o $(OBJ)/phone-verifier/trust_enc.o \
	$(OBJ)/phone-verifier/tvs_cache.o $(OBJ)/phone-verifier/verdicts.o $(LIBTFTP_A)
# The HTTP-first fetch against a server on the same loop (its lines go through boot.c's
# pv_phone_line), and the fuzz target of its response-head parser (fuzz/fuzz_http_response.c).
$(TBIN)/test_http_get: $(OBJ)/phone-verifier/http_get.o $(OBJ)/phone-verifier/http_head.o \
	$(OBJ)/phone-verifier/http_pool.o \
	$(OBJ)/phone-verifier/boot.o $(OBJ)/phone-verifier/env.o $(OBJ)/phone-verifier/trust.o \
	$(OBJ)/phone-verifier/tvs_cache.o $(OBJ)/phone-verifier/verdicts.o $(LIBTFTP_A)
FUZZ_SRCS_fuzz_http_response := phone-verifier/http_head.c -Iphone-verifier
$(TBIN)/test_console: $(OBJ)/phone-verifier/console.o
$(TBIN)/test_num: $(OBJ)/phone-verifier/num.o $(OBJ)/phone-verifier/netopt.o \
	$(OBJ)/phone-verifier/console.o
# A fleet's shared verdicts equal each phone's own (mixed held lists).
$(TBIN)/test_verdicts: $(OBJ)/phone-verifier/verdicts.o $(OBJ)/phone-verifier/trust.o
# The change planner on clusters and phones built in the test (no network).
$(TBIN)/test_plan: $(OBJ)/phone-verifier/plan_cluster.o $(OBJ)/phone-verifier/plan_sim.o \
	$(OBJ)/phone-verifier/plan_steps.o $(OBJ)/phone-verifier/trust.o
# A run's state writes, with and without fsync.
$(TBIN)/test_env: $(OBJ)/phone-verifier/env.o $(OBJ)/phone-verifier/trust.o \
	$(OBJ)/phone-verifier/verdicts.o $(LIBTFTP_A)
# The configuration file scanner (boot --register) and its fuzz target (fuzz/fuzz_cnfxml.c).
$(TBIN)/test_cnfxml: $(OBJ)/phone-verifier/cnfxml.o
FUZZ_SRCS_fuzz_cnfxml := phone-verifier/cnfxml.c -Iphone-verifier
# The CallManager trust rule of the registration check, on lists built in the test.
$(TBIN)/test_register: $(OBJ)/phone-verifier/register.o $(OBJ)/phone-verifier/tls_dial.o \
	$(OBJ)/phone-verifier/trust.o
