# phone-verifier: emulated phones booting against a TFTP server. It links
# the event loop, codec and client engine of tftp-server/ (one TFTP client
# in the project). The objects are named here rather than through
# $(TFTP_CLIENT_OBJS) because tftp-server/module.mk is included after this
# file and prerequisites are expanded when read.
PV_SRCS := $(wildcard phone-verifier/*.c)
PV_OBJS := $(PV_SRCS:%.c=$(OBJ)/%.o)
PV_TFTP_OBJS := $(addprefix $(OBJ)/tftp-server/,tftp_client.o loop.o tftp_codec.o tftp_opts.o tftp_map.o \
	tftp_addr.o)
MOD_CFLAGS_phone-verifier := -Itftp-server
BINS += $(BIN)/phone-verifier
MAN_PAGES += doc/phone-verifier.1

$(BIN)/phone-verifier: $(PV_OBJS) $(PV_TFTP_OBJS) $(LIBCTL_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $(PV_OBJS) $(PV_TFTP_OBJS) $(LIBCTL_A) $(SSL_LIBS)

# The trust rules are tested without the network (tests/test_trust.c).
$(TBIN)/test_trust: $(OBJ)/phone-verifier/trust.o
