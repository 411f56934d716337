# libctl: static and shared library.
CTL_VERSION := 0.1.0
LIBCTL_SRCS := $(wildcard libctl/*.c)
LIBCTL_OBJS := $(LIBCTL_SRCS:%.c=$(OBJ)/%.o)
LIBCTL_A  := $(LIB)/libctl.a
LIBCTL_SO := $(LIB)/libctl.so.0

$(LIBCTL_A): $(LIBCTL_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

# libctl.so.0 is the file (its soname); libctl.so the link-time name.
$(LIBCTL_SO): $(LIBCTL_OBJS)
	@mkdir -p $(dir $@)
	$(CC) -shared -Wl,-soname,libctl.so.0 $(ALL_LDFLAGS) -o $@ $^ $(SSL_LIBS)
	ln -sf libctl.so.0 $(LIB)/libctl.so
