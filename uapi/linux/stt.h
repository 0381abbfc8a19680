/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * STT: multi-stream encrypted transport, user API.
 *
 * Each STT stream is a socket: socket(AF_STT, SOCK_STREAM or SOCK_SEQPACKET, 0).
 * Streams between the same two nodes share one encrypted session over UDP.
 * See Documentation/stt.rst and stt(7).
 */
#ifndef _UAPI_LINUX_STT_H
#define _UAPI_LINUX_STT_H

#include <linux/types.h>
#include <linux/socket.h>
#include <linux/in.h>
#include <linux/in6.h>

/**
 * define AF_STT - address family number of STT
 *
 * AF_MAX cannot grow outside the kernel tree, so STT takes a family slot that no
 * Linux kernel implements (25 was AF_WANPIPE, removed long ago and never used by
 * a protocol in the tree).  The module parameter ``family`` can move it; this is
 * the number the module uses, and autoloads for, by default.
 */
#define AF_STT		25
/** define PF_STT - protocol family, the same number as AF_STT */
#define PF_STT		AF_STT

/**
 * define SOL_STT - socket option level of STT
 *
 * Options at this level are handled by the STT socket itself.  The number is
 * far from the kernel's own SOL_* sequence so that it cannot collide with it.
 */
#define SOL_STT		0x5354

/**
 * define STT_PSK - socket option setting the secret key of the sessions
 *
 * The 256-bit pre-shared key,
 * ``setsockopt(fd, SOL_STT, STT_PSK, key, STT_PSK_LEN)``, set on a listening
 * socket before listen() and on a connecting socket before connect().  Both
 * ends of a session must hold the same key; connect() to a node with another
 * key fails with %EKEYREJECTED, and without a key with %ENOKEY.  Reading the
 * option back fails with %EPERM.
 */
#define STT_PSK		1
/** define STT_PSK_LEN - length of a pre-shared key, in bytes */
#define STT_PSK_LEN	32

/**
 * define STT_CIPHER - socket option choosing the AEADs a socket may use
 *
 * An int of %STT_CIPHER_CHACHA20_POLY1305 and %STT_CIPHER_AES_256_GCM bits.
 * The default is the sysctl ``net.stt.suites``.  A connecting socket prefers
 * the lowest bit it offers; a listener picks the client's preference if it
 * accepts it.
 */
#define STT_CIPHER	2
/** define STT_CIPHER_CHACHA20_POLY1305 - ChaCha20-Poly1305 (RFC 8439) */
#define STT_CIPHER_CHACHA20_POLY1305	0x01
/** define STT_CIPHER_AES_256_GCM - AES-256 in Galois/Counter Mode */
#define STT_CIPHER_AES_256_GCM		0x02

/**
 * define STT_STREAM_ANY - stream id that asks the kernel to assign one
 */
#define STT_STREAM_ANY	0

/**
 * struct sockaddr_stt - address of an STT stream
 * @sstt_family: always %AF_STT.
 * @sstt_addr_family: family of @sstt_addr: %AF_INET or %AF_INET6.
 * @sstt_port: UDP port of the node, in network byte order.  0 in bind()
 *	asks for an ephemeral port; connect() needs a real port.
 * @sstt_stream: stream id within the session; %STT_STREAM_ANY (0) asks the
 *	kernel to assign one.
 * @sstt_scope_id: IPv6 scope (interface index) for link-local addresses;
 *	must be 0 for IPv4.
 * @sstt_session: session id.  Reported by getsockname() and getpeername();
 *	must be 0 when passed to bind() or connect().
 * @sstt_addr: the node's IP address.
 * @sstt_addr.v4: IPv4 address, when @sstt_addr_family is %AF_INET.
 * @sstt_addr.v6: IPv6 address, when @sstt_addr_family is %AF_INET6.
 *
 * The structure is 32 bytes on every architecture.  Callers pass its full size
 * as the address length; a shorter length is refused with %EINVAL.
 */
struct sockaddr_stt {
	__kernel_sa_family_t	sstt_family;
	__u16			sstt_addr_family;
	__be16			sstt_port;
	__u16			sstt_stream;
	__u32			sstt_scope_id;
	__u32			sstt_session;
	union {
		struct in_addr	v4;
		struct in6_addr	v6;
	} sstt_addr;
};

#endif /* _UAPI_LINUX_STT_H */
