/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Validation of struct sockaddr_stt as passed to bind() and connect().  Pure
 * code: see pure.h.
 */
#ifndef _STT_ADDR_H
#define _STT_ADDR_H

#include "pure.h"

/**
 * enum stt_addr_use - what an address is being checked for
 * @STT_ADDR_BIND: a local address for bind(); port 0 asks for an ephemeral one.
 * @STT_ADDR_CONNECT: a peer address for connect(); it needs a real port.
 */
enum stt_addr_use {
	STT_ADDR_BIND,
	STT_ADDR_CONNECT,
};

int stt_addr_check(const struct sockaddr_stt *sa, int len, int family,
		   enum stt_addr_use use);

#endif /* _STT_ADDR_H */
