# SPDX-License-Identifier: Apache-2.0
# show-ctl: the node's `show ctl`, on libctl and tftp-server/common's show_tool.c.
BINS += $(BIN)/show-ctl
MAN_PAGES += doc/show-ctl.8

$(BIN)/show-ctl: $(OBJ)/tftp-server/show-ctl/show_ctl.o $(SHOW_TOOL_OBJS) $(LIBCTL_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(LIBCTL_A) $(SSL_LIBS)
