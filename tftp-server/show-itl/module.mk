# SPDX-License-Identifier: Apache-2.0
# show-itl: the node's `show itl`, in show-ctl's shape (tftp-server/common's show_tool.c).
BINS += $(BIN)/show-itl
MAN_PAGES += doc/show-itl.8

$(BIN)/show-itl: $(OBJ)/tftp-server/show-itl/show_itl.o $(SHOW_TOOL_OBJS) $(LIBCTL_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(LIBCTL_A) $(SSL_LIBS)
