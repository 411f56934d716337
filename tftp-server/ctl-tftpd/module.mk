# SPDX-License-Identifier: Apache-2.0
# ctl-tftpd: the node's TFTP service (CTL, ITL and per-device files) on libtftp.
TFTPD_SRCS := $(wildcard tftp-server/ctl-tftpd/*.c)
TFTPD_OBJS := $(TFTPD_SRCS:%.c=$(OBJ)/%.o)

BINS += $(BIN)/ctl-tftpd
MAN_PAGES += doc/ctl-tftpd.8

$(BIN)/ctl-tftpd: $(TFTPD_OBJS) $(NODE_COMMON_OBJS) $(ADMIN_OBJS) $(LIBTFTP_A) $(LIBCTL_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(LIBTFTP_A) $(LIBCTL_A) $(SSL_LIBS)

# Unit tests (tests/unit/ctl-tftpd/) link the pieces they test.
$(TBIN)/test_tftp_cache: $(OBJ)/tftp-server/ctl-tftpd/tftp_cache.o $(LIBTFTP_A)
$(TBIN)/test_tftp_reqtab: $(OBJ)/tftp-server/ctl-tftpd/tftp_reqtab.o $(LIBTFTP_A)
$(TBIN)/test_tftp_resolve: $(OBJ)/tftp-server/ctl-tftpd/tftp_resolve.o \
	$(OBJ)/tftp-server/ctl-tftpd/tftp_cache.o $(OBJ)/tftp-server/ctl-tftpd/tftp_log.o \
	$(NODE_COMMON_OBJS) $(LIBTFTP_A)
$(TBIN)/test_tftp_status: $(OBJ)/tftp-server/ctl-tftpd/tftp_status.o
# HTTP: the response heads alone.
$(TBIN)/test_http_resp: $(OBJ)/tftp-server/ctl-tftpd/http_resp.o
# The session runs on a fake environment: no socket, no loop, no server.
$(TBIN)/test_tftp_session: $(OBJ)/tftp-server/ctl-tftpd/tftp_session.o \
	$(OBJ)/tftp-server/ctl-tftpd/tftp_cache.o $(OBJ)/tftp-server/ctl-tftpd/tftp_log.o \
	$(NODE_COMMON_OBJS) $(LIBTFTP_A)
# The transfer port carries a real session on 127.0.0.1.
$(TBIN)/test_tftp_tid: $(OBJ)/tftp-server/ctl-tftpd/tftp_tid.o $(OBJ)/tftp-server/ctl-tftpd/tftp_session.o \
	$(OBJ)/tftp-server/ctl-tftpd/tftp_cache.o $(OBJ)/tftp-server/ctl-tftpd/tftp_log.o \
	$(NODE_COMMON_OBJS) $(LIBTFTP_A)
$(TBIN)/test_tftp_listen: $(OBJ)/tftp-server/ctl-tftpd/tftp_listen.o $(OBJ)/tftp-server/ctl-tftpd/tftp_log.o \
	$(NODE_COMMON_OBJS) $(LIBTFTP_A)

# One connection on a real loop over a socketpair, names resolved in a real cache.
$(TBIN)/test_http_conn: $(OBJ)/tftp-server/ctl-tftpd/http_conn.o \
	$(OBJ)/tftp-server/ctl-tftpd/http_resp.o $(OBJ)/tftp-server/ctl-tftpd/tftp_resolve.o \
	$(OBJ)/tftp-server/ctl-tftpd/tftp_cache.o $(OBJ)/tftp-server/ctl-tftpd/tftp_log.o \
	$(NODE_COMMON_OBJS) $(LIBTFTP_A)
# The rollout tracker alone (table, records, what a transfer tells it).
ROLLOUT_OBJS := $(OBJ)/tftp-server/ctl-tftpd/rollout.o $(OBJ)/tftp-server/ctl-tftpd/rollout_records.o \
	$(OBJ)/tftp-server/ctl-tftpd/rollout_tap.o
$(TBIN)/test_rollout: $(ROLLOUT_OBJS) $(ROLLOUT_FILE_OBJS)
# The state file's writer process, forked by the test.
$(TBIN)/test_rollout_writer: $(OBJ)/tftp-server/ctl-tftpd/rollout_writer.o
# An HTTP connection tells the tracker what it served.
$(TBIN)/test_http_conn: $(ROLLOUT_OBJS)
