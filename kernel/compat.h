/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel API differences between the kernels STT builds against (Debian's 6.1
 * and 6.12).  Every difference is absorbed here, so the rest of the code is
 * written once.  The STT_HAVE_* macros come from feature tests of the target
 * kernel's headers in Kbuild, not from version numbers, which distributions'
 * backports make unreliable.
 */
#ifndef _STT_COMPAT_H
#define _STT_COMPAT_H

#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/udp.h>
#include <net/net_namespace.h>
#include <net/sock.h>

/*
 * register_net_sysctl_sz() appeared in 6.6, and 6.11 stopped reading the
 * empty sentinel entry: @n counts the entries without it.
 */
static inline struct ctl_table_header *
stt_register_net_sysctl(struct net *net, const char *path,
			struct ctl_table *table, size_t n)
{
#ifdef STT_HAVE_NET_SYSCTL_SZ
	return register_net_sysctl_sz(net, path, table, n);
#else
	return register_net_sysctl(net, path, table);
#endif
}

/* 6.11 made the table a proc handler gets const. */
#ifdef STT_HAVE_CONST_CTL_TABLE
#define STT_CTL_TABLE	const struct ctl_table
#else
#define STT_CTL_TABLE	struct ctl_table
#endif

/*
 * STT_DEFINE_ENCAP_ERR_RCV(name, fn) defines the UDP tunnel's ICMP error hook
 * @name, which calls fn(sk, skb, err, payload): @err a positive errno, @payload
 * the first byte after the UDP header of our own quoted packet.  Before 6.2
 * the hook got only the offset of that UDP header and had to work out the
 * errno from the ICMP header itself.
 */
#ifdef STT_HAVE_ENCAP_ERR_RCV_OFFSET
static inline int stt_compat_icmp_errno(struct sk_buff *skb)
{
	if (skb->protocol == htons(ETH_P_IP))
		return icmp_hdr(skb)->type == ICMP_DEST_UNREACH &&
		       icmp_hdr(skb)->code == ICMP_PORT_UNREACH ?
		       ECONNREFUSED : EHOSTUNREACH;
	return icmp6_hdr(skb)->icmp6_type == ICMPV6_DEST_UNREACH &&
	       icmp6_hdr(skb)->icmp6_code == ICMPV6_PORT_UNREACH ?
	       ECONNREFUSED : EHOSTUNREACH;
}

#define STT_DEFINE_ENCAP_ERR_RCV(name, fn)				\
static void name(struct sock *sk, struct sk_buff *skb, unsigned int off) \
{									\
	fn(sk, skb, stt_compat_icmp_errno(skb),				\
	   skb->data + off + sizeof(struct udphdr));			\
}
#else
#define STT_DEFINE_ENCAP_ERR_RCV(name, fn)				\
static void name(struct sock *sk, struct sk_buff *skb, int err,		\
		 __be16 port, u32 info, u8 *payload)			\
{									\
	fn(sk, skb, err, payload);					\
}
#endif

/*
 * The parameters of the proto_ops accept hook, and its flags among them:
 * 6.10 passed the flags in a struct.
 */
#ifdef STT_HAVE_PROTO_ACCEPT_ARG
#define STT_ACCEPT_PARAMS	struct socket *sock, struct socket *newsock, \
				struct proto_accept_arg *arg
#define STT_ACCEPT_FLAGS	(arg->flags)
#else
#define STT_ACCEPT_PARAMS	struct socket *sock, struct socket *newsock, \
				int flags, bool kern
#define STT_ACCEPT_FLAGS	(flags)
#endif

/*
 * A socket made for a stream the peer opened holds no reference on its
 * namespace (like a kernel socket) until accept() hands it to a process;
 * close() gives the reference back while the stream may still be sending,
 * so that the namespace can exit and close it.  Kernels since 6.2 track such
 * sockets' namespace without a reference ("notrefcnt"), and later ones hold
 * a passive reference for them instead, with sk_net_refcnt_upgrade() to turn
 * one into a socket of a process.
 */
static inline void stt_sock_net_hold(struct sock *sk)
{
	if (sk->sk_net_refcnt)
		return;
#ifdef STT_HAVE_SK_NET_REFCNT_UPGRADE
	sk_net_refcnt_upgrade(sk);
#else
#ifdef STT_HAVE_NOTREFCNT_TRACKER
	__netns_tracker_free(sock_net(sk), &sk->ns_tracker, false);
#endif
	get_net_track(sock_net(sk), &sk->ns_tracker, GFP_KERNEL);
	sock_inuse_add(sock_net(sk), 1);
	sk->sk_net_refcnt = 1;
#endif
}

static inline void stt_sock_net_release(struct sock *sk)
{
	struct net *net = sock_net(sk);

	if (!sk->sk_net_refcnt)
		return;
	sk->sk_net_refcnt = 0;
	sock_inuse_add(net, -1);
#ifdef STT_HAVE_NET_PASSIVE_INC
	net_passive_inc(net);
#endif
	put_net_track(net, &sk->ns_tracker);
#ifdef STT_HAVE_NOTREFCNT_TRACKER
	__netns_tracker_alloc(net, &sk->ns_tracker, false, GFP_KERNEL);
#endif
}

#endif /* _STT_COMPAT_H */
