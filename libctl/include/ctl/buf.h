/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Bounded reader and writer: the only code in ctl-suite that touches wire
 * bytes by offset. Every parser (CTL/ITL/.sgn TLV, TFTP packets, provider
 * messages) reads through struct ctl_rd; every encoder writes through
 * struct ctl_wr.
 *
 * Reader rules (after OpenSSH sshbuf and s2n stuffer): each primitive checks
 * "n > len - off" before touching memory, zeroes its out-parameters first,
 * and on failure returns CTL_E_TRUNCATED leaving the offset unchanged.
 */
#ifndef CTL_BUF_H
#define CTL_BUF_H

#include <stddef.h>
#include <stdint.h>

#include <ctl/err.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ctl_rd {
	const uint8_t *base; /* borrowed; never written */
	size_t len;
	size_t off;
	size_t origin; /* offset of base[0] in the outermost buffer, for diagnostics */
};

/* Starts a reader over len bytes at p (borrowed). */
void ctl_rd_init(struct ctl_rd *rd, const void *p, size_t len);
/*
 * The same for bytes that sit at offset origin of a larger message (a body
 * after its header), so ctl_rd_off() and the diagnostics built from it give
 * offsets in the whole message.
 */
void ctl_rd_init_at(struct ctl_rd *rd, const void *p, size_t len, size_t origin);

CTL_MUST_USE enum ctl_err ctl_rd_u8(struct ctl_rd *rd, uint8_t *v);
CTL_MUST_USE enum ctl_err ctl_rd_u16be(struct ctl_rd *rd, uint16_t *v);
CTL_MUST_USE enum ctl_err ctl_rd_u32be(struct ctl_rd *rd, uint32_t *v);
/* Copies n bytes into dst. */
CTL_MUST_USE enum ctl_err ctl_rd_bytes(struct ctl_rd *rd, void *dst, size_t n);
/* Lends a pointer to the next n bytes (valid while the buffer lives) and advances. */
CTL_MUST_USE enum ctl_err ctl_rd_view(struct ctl_rd *rd, const uint8_t **p, size_t n);
/* Peeks at the next byte without advancing. */
CTL_MUST_USE enum ctl_err ctl_rd_peek_u8(const struct ctl_rd *rd, uint8_t *v);
/* Peeks at the next two bytes as a big-endian u16 without advancing. */
CTL_MUST_USE enum ctl_err ctl_rd_peek_u16be(const struct ctl_rd *rd, uint16_t *v);
/* Lends a pointer to the next n bytes without advancing. */
CTL_MUST_USE enum ctl_err ctl_rd_peek(const struct ctl_rd *rd, const uint8_t **p, size_t n);
/* Advances past n bytes. */
CTL_MUST_USE enum ctl_err ctl_rd_skip(struct ctl_rd *rd, size_t n);
/* Child reader over the next n bytes; the parent advances past them. */
CTL_MUST_USE enum ctl_err ctl_rd_sub(struct ctl_rd *rd, struct ctl_rd *child, size_t n);
/* Lends the bytes up to (not including) the next NUL and advances past
 * the NUL; CTL_E_TRUNCATED when no NUL is left. */
CTL_MUST_USE enum ctl_err ctl_rd_cstr(struct ctl_rd *rd, const char **s, size_t *n);
size_t ctl_rd_left(const struct ctl_rd *rd);
/* Absolute offset of the next byte in the outermost buffer. */
size_t ctl_rd_off(const struct ctl_rd *rd);

/*
 * Writer: appends into a growable heap buffer capped at max bytes, or into
 * a caller-supplied fixed buffer. Length fields are reserved with
 * ctl_wr_reserve_u16() and patched by ctl_wr_patch_u16(), so lengths are
 * always computed, never typed in.
 */
struct ctl_wr {
	uint8_t *buf;
	size_t len;
	size_t cap;
	size_t max;
	int fixed; /* 1: buf belongs to the caller and never grows */
};

/* Growable writer; ctl_wr_cleanup() frees it (or ctl_wr_take() hands it over). */
void ctl_wr_init(struct ctl_wr *wr, size_t max);
/* Writer over a caller buffer of cap bytes; never allocates. */
void ctl_wr_init_fixed(struct ctl_wr *wr, void *buf, size_t cap);
void ctl_wr_cleanup(struct ctl_wr *wr);
/* Empties the writer and keeps its buffer, to build the next message in it. */
void ctl_wr_reset(struct ctl_wr *wr);
/* Hands the buffer to the caller (free() it) and resets the writer. */
CTL_MUST_USE uint8_t *ctl_wr_take(struct ctl_wr *wr, size_t *len);

CTL_MUST_USE enum ctl_err ctl_wr_u8(struct ctl_wr *wr, uint8_t v);
CTL_MUST_USE enum ctl_err ctl_wr_u16be(struct ctl_wr *wr, uint16_t v);
CTL_MUST_USE enum ctl_err ctl_wr_u32be(struct ctl_wr *wr, uint32_t v);
CTL_MUST_USE enum ctl_err ctl_wr_bytes(struct ctl_wr *wr, const void *p, size_t n);
/* Writes s and its terminating NUL. */
CTL_MUST_USE enum ctl_err ctl_wr_cstr(struct ctl_wr *wr, const char *s);
/* Inserts n bytes at offset at, moving the tail. */
CTL_MUST_USE enum ctl_err ctl_wr_insert(struct ctl_wr *wr, size_t at, const void *p, size_t n);
/* Reserves a u16 placeholder; *at receives its offset. */
CTL_MUST_USE enum ctl_err ctl_wr_reserve_u16(struct ctl_wr *wr, size_t *at);
/* Writes v at offset at (a placeholder from ctl_wr_reserve_u16). */
CTL_MUST_USE enum ctl_err ctl_wr_patch_u16(struct ctl_wr *wr, size_t at, size_t v);
/* The same for 32-bit length fields. */
CTL_MUST_USE enum ctl_err ctl_wr_reserve_u32(struct ctl_wr *wr, size_t *at);
CTL_MUST_USE enum ctl_err ctl_wr_patch_u32(struct ctl_wr *wr, size_t at, size_t v);

#ifdef __cplusplus
}
#endif

#endif
