# tftp-server: ctl-tftpd, the TFTP client engine and the load generator.
# The codec, options, name mapping, event loop and client engine are shared:
# the phone emulator links $(TFTP_CLIENT_OBJS) for its TFTP client.
TFTP_CORE_SRCS := tftp-server/loop.c tftp-server/tftp_codec.c tftp-server/tftp_opts.c \
	tftp-server/tftp_addr.c
TFTP_CORE_OBJS := $(TFTP_CORE_SRCS:%.c=$(OBJ)/%.o)
TFTPD_SRCS := tftp-server/main.c tftp-server/tftp_server.c tftp-server/tftp_session.c \
	tftp-server/tftp_map.c tftp-server/tftp_cache.c tftp-server/tftp_log.c tftp-server/logline.c \
	tftp-server/priv.c tftp-server/tftp_reqtab.c
TFTPD_OBJS := $(TFTPD_SRCS:%.c=$(OBJ)/%.o) $(TFTP_CORE_OBJS)
TFTP_CLIENT_OBJS := $(OBJ)/tftp-server/tftp_client.o $(OBJ)/tftp-server/tftp_map.o $(TFTP_CORE_OBJS)

BINS += $(BIN)/ctl-tftpd
# The load generator is also a test helper: the e2e storms use it.
BENCH_BINS += $(BIN)/ctl-tftp-load
TEST_HELPERS += $(BIN)/ctl-tftp-load
MAN_PAGES += doc/ctl-tftpd.8

$(BIN)/ctl-tftpd: $(TFTPD_OBJS) $(LIBCTL_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $(TFTPD_OBJS) $(LIBCTL_A) $(SSL_LIBS)

$(BIN)/ctl-tftp-load: $(OBJ)/tftp-server/load.o $(TFTP_CLIENT_OBJS) $(LIBCTL_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $(OBJ)/tftp-server/load.o $(TFTP_CLIENT_OBJS) $(LIBCTL_A) $(SSL_LIBS)

# Unit tests: extra objects each test links (tests/module.mk links $^).
$(TBIN)/test_tftp_codec: $(OBJ)/tftp-server/tftp_codec.o $(OBJ)/tftp-server/tftp_opts.o
$(TBIN)/test_tftp_map: $(OBJ)/tftp-server/tftp_map.o
$(TBIN)/test_tftp_cache: $(OBJ)/tftp-server/tftp_cache.o
$(TBIN)/test_tftp_loop: $(OBJ)/tftp-server/loop.o
$(TBIN)/test_tftp_client: $(TFTP_CLIENT_OBJS)
$(TBIN)/test_tftp_reqtab: $(OBJ)/tftp-server/tftp_reqtab.o $(OBJ)/tftp-server/tftp_addr.o

# Fuzz targets compile these next to libctl's sources.
FUZZ_SRCS_fuzz_tftp_packet := tftp-server/tftp_codec.c tftp-server/tftp_opts.c
FUZZ_SRCS_fuzz_tftp_name := tftp-server/tftp_map.c

# Test helpers (tests/tftp-tools/): a raw UDP sender for hostile packets and
# step-by-step downloads, and a client on the shared engine with simulated
# loss. Defined here because they link the objects listed above.
TEST_HELPERS += $(BIN)/tftp-raw $(BIN)/tftp-get

$(BIN)/tftp-raw: $(OBJ)/tests/tftp-tools/tftp-raw.o $(TFTP_CORE_OBJS) $(LIBCTL_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(LIBCTL_A) $(SSL_LIBS)

$(BIN)/tftp-get: $(OBJ)/tests/tftp-tools/tftp-get.o $(TFTP_CLIENT_OBJS) $(LIBCTL_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(LIBCTL_A) $(SSL_LIBS)
