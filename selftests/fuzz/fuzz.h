/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every libFuzzer harness of selftests/fuzz/ shares: its entry point,
 * the way it reports a broken property, and a reader of its input.
 */
#ifndef _STT_FUZZ_H
#define _STT_FUZZ_H

#include <stdio.h>
#include <stdlib.h>

#include "pure.h"

/*
 * libFuzzer calls its fixed entry symbol once per input.  The symbol is named
 * by an asm label so that the C name follows the kernel's naming style.
 * Return 0: libFuzzer reserves other values.
 */
int stt_fuzz_one(const u8 *data, size_t size) __asm__("LLVMFuzzerTestOneInput");

/*
 * A broken property is a bug found: abort() makes libFuzzer save the input
 * as a reproducer, and the message says which property broke.
 */
#define FAIL(fmt, ...) do {						\
	fprintf(stderr, "%s:%d: " fmt "\n", __FILE__, __LINE__,		\
		##__VA_ARGS__);						\
	abort();							\
} while (0)

/* The input, consumed from the front. */
struct fuzz_input {
	const u8 *p;
	size_t left;
};

/* The next byte; past the end, 0, so that every input is a whole program. */
static inline u8 fuzz_u8(struct fuzz_input *in)
{
	if (!in->left)
		return 0;
	in->left--;
	return *in->p++;
}

/* The next @bytes bytes, big-endian. */
static inline u64 fuzz_be(struct fuzz_input *in, unsigned int bytes)
{
	u64 v = 0;

	while (bytes--)
		v = v << 8 | fuzz_u8(in);
	return v;
}

#endif /* _STT_FUZZ_H */
