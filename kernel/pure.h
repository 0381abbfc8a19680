/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Environment of the pure protocol code.  Files that include only this header
 * (and each other) use no kernel-only call, so they build unchanged in the
 * kernel and in user space, where the unit tests and fuzzers link them.  This
 * header maps the handful of kernel types and helpers they use onto libc.
 */
#ifndef _STT_PURE_H
#define _STT_PURE_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/socket.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <asm/byteorder.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <errno.h>
#include <endian.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <linux/types.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s64 s64;

#define cpu_to_be16(x) htobe16(x)
#define be16_to_cpu(x) be16toh(x)
#define cpu_to_be32(x) htobe32(x)
#define be32_to_cpu(x) be32toh(x)
#define cpu_to_be64(x) htobe64(x)
#define be64_to_cpu(x) be64toh(x)
#endif

#include <linux/stt.h>

#endif /* _STT_PURE_H */
