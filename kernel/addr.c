// SPDX-License-Identifier: GPL-2.0
/*
 * Address validation.  Owns the rules for what a struct sockaddr_stt may hold
 * when a program hands one to bind() or connect(), and which errno each
 * mistake earns: a short length or a malformed field is EINVAL, a family that
 * is not STT (or an IP family STT does not carry) is EAFNOSUPPORT.  It is pure
 * code, shared with the user-space unit tests.
 */
#include "addr.h"

/* fe80::/10: the address means something only on one link. */
static bool stt_addr_is_link_local(const struct sockaddr_stt *sa)
{
	return sa->sstt_addr_family == AF_INET6 &&
	       sa->sstt_addr.v6.s6_addr[0] == 0xfe &&
	       (sa->sstt_addr.v6.s6_addr[1] & 0xc0) == 0x80;
}

static bool stt_addr_is_multicast(const struct sockaddr_stt *sa)
{
	if (sa->sstt_addr_family == AF_INET)
		return (be32_to_cpu(sa->sstt_addr.v4.s_addr) & 0xf0000000) == 0xe0000000;
	return sa->sstt_addr.v6.s6_addr[0] == 0xff;
}

/**
 * stt_addr_check() - validate an address passed to bind() or connect()
 * @sa: the address, already copied into kernel memory
 * @len: the length the caller passed
 * @family: the number AF_STT has in this module instance
 * @use: bind() or connect()
 *
 * Return: 0 if the address is acceptable for @use; -EINVAL for a short
 * length, a non-zero reserved or output-only field, a stream id in bind(),
 * port 0 or a multicast address in connect(), an IPv4 address with a scope,
 * or an IPv6 link-local address without one (which link would it be on?);
 * -EAFNOSUPPORT when the family is not STT or the IP family is neither IPv4
 * nor IPv6.
 */
int stt_addr_check(const struct sockaddr_stt *sa, int len, int family,
		   enum stt_addr_use use)
{
	if (len < (int)sizeof(*sa))
		return -EINVAL;
	if (sa->sstt_family != family)
		return -EAFNOSUPPORT;
	if (sa->sstt_addr_family != AF_INET && sa->sstt_addr_family != AF_INET6)
		return -EAFNOSUPPORT;
	if (sa->sstt_session)
		return -EINVAL;
	if (sa->sstt_addr_family == AF_INET && sa->sstt_scope_id)
		return -EINVAL;
	if (stt_addr_is_link_local(sa) && !sa->sstt_scope_id)
		return -EINVAL;

	if (use == STT_ADDR_BIND)
		return sa->sstt_stream == STT_STREAM_ANY ? 0 : -EINVAL;

	if (!sa->sstt_port || stt_addr_is_multicast(sa))
		return -EINVAL;
	return 0;
}
