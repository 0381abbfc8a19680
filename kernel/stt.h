/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Module-internal declarations shared between the kernel-only files: the STT
 * socket structure and the entry points each file offers the others.  Wire
 * constants live in proto.h; pure helpers declare themselves in their own
 * headers.
 */
#ifndef _STT_H
#define _STT_H

#include <net/sock.h>
#include <linux/stt.h>

#include "compat.h"

/**
 * struct stt_sock - one STT stream socket
 * @sk: the generic socket; must stay first so that sk_alloc() sizes it
 */
struct stt_sock {
	struct sock sk;
};

static inline struct stt_sock *stt_sk(const struct sock *sk)
{
	return container_of(sk, struct stt_sock, sk);
}

extern int stt_family;

int stt_socket_init(void);
void stt_socket_exit(void);

#endif /* _STT_H */
