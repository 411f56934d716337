# SPDX-License-Identifier: Apache-2.0
# Node code the daemons (ctl-tftpd, ctl-provider, ctl-tvsd) link: the
# log-line writer, the privilege drop, connection admission, the
# configuration values, the TLS server side and the listener. Included before the daemons' module.mk.
NODE_COMMON_SRCS := $(filter-out tftp-server/common/admin%.c,$(wildcard tftp-server/common/*.c))
# Other folders' binaries and tests link them as $(NODE_COMMON_OBJS), never
# by path (tests/e2e/layout.sh).
NODE_COMMON_OBJS := $(NODE_COMMON_SRCS:%.c=$(OBJ)/%.o)
# The rollout state file (ctl-tftpd writes it, show-ctl --phones reads it).
ROLLOUT_FILE_OBJS := $(OBJ)/tftp-server/common/rollout_file.o
# show-ctl and show-itl link only their shared program body (with show-ctl's --phones).
SHOW_TOOL_OBJS := $(OBJ)/tftp-server/common/show_tool.o $(OBJ)/tftp-server/common/show_phones.o \
	$(ROLLOUT_FILE_OBJS)
# The admin HTTP server (--admin: status page and /metrics) runs on
# libtftp's loop: only the daemons that offer it link these, with LIBTFTP_A.
ADMIN_OBJS := $(patsubst %.c,$(OBJ)/%.o,$(wildcard tftp-server/common/admin*.c))
# Every tftp-server/ module sees libtftp's and this folder's headers.
MOD_CFLAGS_tftp-server := $(LIBTFTP_CFLAGS) -Itftp-server/common

# Unit tests (tests/unit/common/) link the piece they test.
$(TBIN)/test_logline: $(OBJ)/tftp-server/common/logline.o
$(TBIN)/test_priv: $(OBJ)/tftp-server/common/priv.o
$(TBIN)/test_connlimit: $(OBJ)/tftp-server/common/connlimit.o
$(TBIN)/test_kvconf: $(OBJ)/tftp-server/common/kvconf.o
$(TBIN)/test_tls_server: $(OBJ)/tftp-server/common/tls_server.o
TEST_LIBS_test_tls_server := -lpthread
$(TBIN)/test_listener: $(OBJ)/tftp-server/common/listener.o $(OBJ)/tftp-server/common/connlimit.o \
	$(OBJ)/tftp-server/common/sdnotify.o
$(TBIN)/test_sdnotify: $(OBJ)/tftp-server/common/sdnotify.o
TEST_LIBS_test_listener := -lpthread
$(TBIN)/test_admin_text: $(OBJ)/tftp-server/common/admin_text.o
$(TBIN)/test_rollout_file: $(OBJ)/tftp-server/common/rollout_file.o
# libFuzzer: the rollout state file reader (fuzz/fuzz_rollout_file.c).
FUZZ_SRCS_fuzz_rollout_file := tftp-server/common/rollout_file.c -Itftp-server/common
# The HTTP request head parser (ctl-tftpd's HTTP port and the admin ports), alone.
$(TBIN)/test_http_parse: $(OBJ)/tftp-server/common/http_parse.o
# libFuzzer: the HTTP request head parser (fuzz/fuzz_http_request.c).
FUZZ_SRCS_fuzz_http_request := tftp-server/common/http_parse.c -Itftp-server/common
