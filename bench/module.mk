# SPDX-License-Identifier: Apache-2.0
# Benchmarks: built by `make bench-build`, run by bench/bench.sh (`make bench`).
#  - ctl-bench: libctl parse and verify against raw OpenSSL;
#  - bench-token: signatures per second on a SoftHSM2 token vs raw OpenSSL;
#  - ctl-tftp-load: the TFTP load generator (boot storms), also used by the
#    e2e storm tests.
MOD_CFLAGS_bench := $(LIBTFTP_CFLAGS) -Ictl-client $(P11_CFLAGS)
BENCH_BINS += $(BUILD)/bench/ctl-bench $(BUILD)/bench/bench-token $(BIN)/ctl-tftp-load
TEST_HELPERS += $(BIN)/ctl-tftp-load

$(BUILD)/bench/ctl-bench: $(OBJ)/bench/ctl_bench.o $(LIBCTL_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(LIBCTL_A) $(SSL_LIBS)

# ctl-client/module.mk adds its token-layer objects as prerequisites.
$(BUILD)/bench/bench-token: $(OBJ)/bench/bench_token.o $(LIBCTL_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(LIBCTL_A) $(P11_LIBS) $(SSL_LIBS) -ldl

$(BIN)/ctl-tftp-load: $(OBJ)/bench/ctl_tftp_load.o $(OBJ)/bench/storm.o $(LIBTFTP_A) $(LIBCTL_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(LIBTFTP_A) $(LIBCTL_A) $(SSL_LIBS)

# The fleet benchmark's per-phone signed configuration files (bench-fleet.sh).
BENCH_BINS += $(BUILD)/bench/ctl-bench-configs
$(BUILD)/bench/ctl-bench-configs: $(OBJ)/bench/bench_configs.o $(LIBCTL_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(LIBCTL_A) $(SSL_LIBS)

# ctl-http-load: the boot storm over HTTP (ctl-tftpd --http), bench/bench-http.sh.
BENCH_BINS += $(BIN)/ctl-http-load
$(BIN)/ctl-http-load: $(OBJ)/bench/ctl_http_load.o $(OBJ)/bench/storm.o $(LIBTFTP_A) $(LIBCTL_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(LIBTFTP_A) $(LIBCTL_A) $(SSL_LIBS)
