// SPDX-License-Identifier: GPL-2.0
/*
 * Endpoints: the kernel UDP sockets STT runs over.  Owns struct stt_endpoint:
 * one UDP tunnel socket per bound local address and port in a namespace (and
 * one shared, ephemeral-port endpoint per IP family for sockets that connect
 * without binding), its reference count, the receive hook that hands every
 * datagram to the session layer, ICMP errors, and transmission with a route
 * lookup per packet.  Datagrams are sent with DF set: STT never relies on IP
 * fragmentation.
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <net/addrconf.h>
#include <net/ip6_route.h>
#include <net/ipv6_stubs.h>
#include <net/route.h>
#include <net/udp.h>
#include <net/udp_tunnel.h>

#include "stt.h"

/* Room for the link, IP and UDP headers in front of every packet. */
#define STT_HEADROOM	(LL_MAX_HEADER + sizeof(struct ipv6hdr) + \
			 sizeof(struct udphdr))

/* The encap type only marks the socket as ours; UDP does not interpret it. */
#define STT_UDP_ENCAP_TYPE	7

/* An ephemeral-port bind never matches: each such bind gets its own port. */
static bool stt_endpoint_matches(const struct stt_endpoint *ep,
				 const union stt_inaddr *local, bool shared,
				 bool ephemeral)
{
	if (shared)
		return ep->shared &&
		       ep->local.sa.sa_family == local->sa.sa_family;
	return !ephemeral && !ep->shared && stt_inaddr_equal(&ep->local, local);
}

static int stt_encap_rcv(struct sock *sk, struct sk_buff *skb)
{
	struct stt_endpoint *ep = rcu_dereference_sk_user_data(sk);

	if (!ep) {
		kfree_skb(skb);
		return 0;
	}
	__skb_pull(skb, sizeof(struct udphdr));
	stt_session_rcv(ep, skb);
	return 0;
}

static void stt_encap_err(struct sock *sk, struct sk_buff *skb, int err,
			  const u8 *payload)
{
	struct stt_endpoint *ep = rcu_dereference_sk_user_data(sk);
	union stt_inaddr peer;
	const struct udphdr *uh;

	if (!ep || err != ECONNREFUSED)
		return;
	stt_inaddr_clear(&peer);	/* a hash key, byte for byte */
	/* skb->data is the quoted IP header of our own packet. */
	uh = (const struct udphdr *)(payload - sizeof(*uh));
	if (ep->local.sa.sa_family == AF_INET) {
		peer.v4.sin_family = AF_INET;
		peer.v4.sin_addr.s_addr = ((struct iphdr *)skb->data)->daddr;
		peer.v4.sin_port = uh->dest;
	} else {
		peer.v6.sin6_family = AF_INET6;
		peer.v6.sin6_addr = ((struct ipv6hdr *)skb->data)->daddr;
		peer.v6.sin6_port = uh->dest;
		if (ipv6_addr_type(&peer.v6.sin6_addr) & IPV6_ADDR_LINKLOCAL)
			peer.v6.sin6_scope_id = inet6_iif(skb);
	}
	stt_session_refused(ep, &peer);
}

STT_DEFINE_ENCAP_ERR_RCV(stt_encap_err_rcv, stt_encap_err);

static int stt_endpoint_open(struct stt_endpoint *ep, struct net *net)
{
	struct udp_tunnel_sock_cfg tcfg = {
		.sk_user_data	= ep,
		.encap_type	= STT_UDP_ENCAP_TYPE,
		.encap_rcv	= stt_encap_rcv,
		.encap_err_rcv	= stt_encap_err_rcv,
	};
	struct udp_port_cfg cfg = { };
	struct sock *sk;
	int err;

	if (ep->local.sa.sa_family == AF_INET) {
		cfg.family = AF_INET;
		cfg.local_ip = ep->local.v4.sin_addr;
		cfg.local_udp_port = ep->local.v4.sin_port;
	} else {
		cfg.family = AF_INET6;
		cfg.local_ip6 = ep->local.v6.sin6_addr;
		cfg.local_udp_port = ep->local.v6.sin6_port;
		cfg.ipv6_v6only = 1;
		cfg.bind_ifindex = ep->local.v6.sin6_scope_id;
		/* A zero checksum is accepted (net.stt.udp_checksum). */
		cfg.use_udp6_rx_checksums = false;
	}
	err = udp_sock_create(net, &cfg, &ep->udp);
	if (err)
		return err;

	sk = ep->udp->sk;
	if (ep->local.sa.sa_family == AF_INET)
		ep->local.v4.sin_port = inet_sk(sk)->inet_sport;
	else
		ep->local.v6.sin6_port = inet_sk(sk)->inet_sport;
	setup_udp_tunnel_sock(net, ep->udp, &tcfg);
	return 0;
}

/**
 * stt_endpoint_get() - find or create the endpoint for a local address
 * @sn: the namespace
 * @local: address and port; port 0 picks an ephemeral port
 * @sk: the socket that binds it; NULL for the namespace's shared client
 *	endpoint of @local's family (@local must then be the wildcard address
 *	with port 0)
 *
 * An endpoint bound to a given non-zero port is shared by the sockets that
 * name that address and port, as long as they belong to the user whose
 * socket made it, or both that socket and theirs set %SO_REUSEADDR: a
 * user cannot bind into another user's endpoint and take its sessions'
 * streams.  May sleep.
 *
 * Return: the endpoint with a reference taken, or an ERR_PTR():
 * -%EADDRINUSE when another user's endpoint holds the address.
 */
struct stt_endpoint *stt_endpoint_get(struct stt_net *sn,
				      const union stt_inaddr *local,
				      const struct sock *sk)
{
	bool shared = !sk;
	struct stt_endpoint *ep;
	bool ephemeral;
	int err;

	ephemeral = local->sa.sa_family == AF_INET ? !local->v4.sin_port :
						     !local->v6.sin6_port;
	mutex_lock(&sn->lock);
	list_for_each_entry(ep, &sn->endpoints, node) {
		if (!stt_endpoint_matches(ep, local, shared, ephemeral))
			continue;
		if (sk && !uid_eq(ep->owner, sk->sk_uid) &&
		    !(ep->reuse && sk->sk_reuse)) {
			ep = ERR_PTR(-EADDRINUSE);
			goto out;
		}
		refcount_inc(&ep->refs);
		goto out;
	}

	ep = kzalloc(sizeof(*ep), GFP_KERNEL);
	if (!ep) {
		ep = ERR_PTR(-ENOMEM);
		goto out;
	}
	refcount_set(&ep->refs, 1);
	ep->sn = sn;
	ep->local = *local;
	ep->shared = shared;
	ep->owner = sk ? sk->sk_uid : GLOBAL_ROOT_UID;
	ep->reuse = sk && sk->sk_reuse;
	err = stt_endpoint_open(ep, sn->net);
	if (err) {
		kfree(ep);
		ep = ERR_PTR(err);
		goto out;
	}
	list_add(&ep->node, &sn->endpoints);
out:
	mutex_unlock(&sn->lock);
	return ep;
}

/**
 * stt_endpoint_put() - drop a reference; the last one closes the socket
 * @ep: the endpoint
 *
 * May sleep.  The endpoint is freed after an RCU grace period, since the
 * receive hook may still be running with it.
 */
void stt_endpoint_put(struct stt_endpoint *ep)
{
	struct stt_net *sn = ep->sn;

	if (!refcount_dec_and_mutex_lock(&ep->refs, &sn->lock))
		return;
	list_del(&ep->node);
	mutex_unlock(&sn->lock);
	udp_tunnel_sock_release(ep->udp);
	kfree_rcu(ep, rcu);
}

/**
 * stt_endpoint_alloc_skb() - allocate an skb for an STT packet
 * @len: header and payload bytes, without the AEAD tag
 * @gfp: allocation flags
 *
 * The skb has headroom for the link, IP and UDP headers and tailroom for
 * the tag.
 *
 * Return: the skb, or NULL.
 */
struct sk_buff *stt_endpoint_alloc_skb(unsigned int len, gfp_t gfp)
{
	struct sk_buff *skb;

	skb = alloc_skb(STT_HEADROOM + len + STT_TAG_LEN, gfp);
	if (skb)
		skb_reserve(skb, STT_HEADROOM);
	return skb;
}

/**
 * stt_endpoint_skb_truesize() - the memory an skb of stt_endpoint_alloc_skb()
 *	counts for
 * @len: the length it would be allocated for
 *
 * What alloc_skb() makes its truesize: the head's kmalloc bucket (data,
 * headroom, tag and shared info) and the sk_buff itself.  Lets a sender
 * know before allocating whether a whole message will fit its send buffer.
 *
 * Return: the skb's truesize, bytes.
 */
unsigned int stt_endpoint_skb_truesize(unsigned int len)
{
	size_t head = SKB_DATA_ALIGN(STT_HEADROOM + len + STT_TAG_LEN) +
		      SKB_DATA_ALIGN(sizeof(struct skb_shared_info));

	return kmalloc_size_roundup(head) +
	       SKB_DATA_ALIGN(sizeof(struct sk_buff));
}

/* A route to @peer from @ep, with the flow it was looked up for in @fl. */
static struct dst_entry *stt_route(struct stt_endpoint *ep,
				   const union stt_inaddr *peer,
				   struct flowi *fl)
{
	struct sock *sk = ep->udp->sk;
	struct rtable *rt;

	memset(fl, 0, sizeof(*fl));
	if (peer->sa.sa_family == AF_INET) {
		struct flowi4 *fl4 = &fl->u.ip4;

		fl4->daddr = peer->v4.sin_addr.s_addr;
		fl4->saddr = ep->local.v4.sin_addr.s_addr;
		fl4->flowi4_proto = IPPROTO_UDP;
		fl4->fl4_dport = peer->v4.sin_port;
		fl4->fl4_sport = ep->local.v4.sin_port;
		rt = ip_route_output_flow(sock_net(sk), fl4, sk);
		return IS_ERR(rt) ? ERR_CAST(rt) : &rt->dst;
	}
	fl->u.ip6.daddr = peer->v6.sin6_addr;
	fl->u.ip6.saddr = ep->local.v6.sin6_addr;
	fl->u.ip6.flowi6_oif = peer->v6.sin6_scope_id;
	fl->u.ip6.flowi6_proto = IPPROTO_UDP;
	fl->u.ip6.fl6_dport = peer->v6.sin6_port;
	fl->u.ip6.fl6_sport = ep->local.v6.sin6_port;
	return ipv6_stub->ipv6_dst_lookup_flow(sock_net(sk), sk, &fl->u.ip6,
					       NULL);
}

/**
 * stt_endpoint_dgram() - the largest UDP payload to send to a peer
 * @ep: the endpoint
 * @peer: the peer
 * @src: set to the address packets to @peer leave from (the endpoint's port
 *	and the route's source address, which a wildcard endpoint lacks)
 *
 * The route's MTU less the IP and UDP headers, at least %STT_MIN_DGRAM and
 * at most %STT_MAX_DGRAM.
 *
 * Return: bytes.
 */
unsigned int stt_endpoint_dgram(struct stt_endpoint *ep,
				const union stt_inaddr *peer,
				union stt_inaddr *src)
{
	unsigned int mtu = STT_MIN_DGRAM, hdrs;
	struct dst_entry *dst;
	struct flowi fl;

	*src = ep->local;
	dst = stt_route(ep, peer, &fl);
	if (IS_ERR(dst))
		return mtu;
	if (peer->sa.sa_family == AF_INET)
		src->v4.sin_addr.s_addr = fl.u.ip4.saddr;
	else
		src->v6.sin6_addr = fl.u.ip6.saddr;
	hdrs = sizeof(struct udphdr) + (peer->sa.sa_family == AF_INET ?
		sizeof(struct iphdr) : sizeof(struct ipv6hdr));
	if (dst_mtu(dst) > hdrs)
		mtu = dst_mtu(dst) - hdrs;
	dst_release(dst);
	return clamp_t(unsigned int, mtu, STT_MIN_DGRAM, STT_MAX_DGRAM);
}

/**
 * stt_endpoint_xmit() - send one STT packet
 * @ep: the endpoint to send from
 * @skb: the packet; skb->data points at the STT header.  Consumed.
 * @peer: where to
 *
 * Callable from any context.
 *
 * Return: 0 or a negative errno (no route); the skb is consumed either way.
 */
int stt_endpoint_xmit(struct stt_endpoint *ep, struct sk_buff *skb,
		      const union stt_inaddr *peer)
{
	bool nocheck = !READ_ONCE(ep->sn->sysctl.udp_checksum);
	unsigned int len = skb->len;
	struct sock *sk = ep->udp->sk;
	struct dst_entry *dst;
	struct flowi fl;

	skb->ignore_df = 0;
	dst = stt_route(ep, peer, &fl);
	if (IS_ERR(dst)) {
		kfree_skb(skb);
		STT_INC(ep->sn, TX_ERRORS);
		return PTR_ERR(dst);
	}
	if (peer->sa.sa_family == AF_INET)
		udp_tunnel_xmit_skb((struct rtable *)dst, sk, skb,
				    fl.u.ip4.saddr, fl.u.ip4.daddr, 0,
				    ip4_dst_hoplimit(dst), htons(IP_DF),
				    fl.u.ip4.fl4_sport, fl.u.ip4.fl4_dport,
				    false, nocheck);
	else
		udp_tunnel6_xmit_skb(dst, sk, skb, NULL, &fl.u.ip6.saddr,
				     &fl.u.ip6.daddr, 0, ip6_dst_hoplimit(dst),
				     0, fl.u.ip6.fl6_sport, fl.u.ip6.fl6_dport,
				     nocheck);
	STT_INC(ep->sn, PACKETS_OUT);
	stt_count(ep->sn, STT_STAT_BYTES_OUT, len);
	return 0;
}

/**
 * stt_endpoint_net_exit() - check that a dying namespace has no endpoint left
 * @sn: the namespace
 *
 * Sockets hold a reference on their namespace and sessions are closed before
 * this runs, so every endpoint is gone by now; one left over is a leak.
 */
void stt_endpoint_net_exit(struct stt_net *sn)
{
	WARN_ON(!list_empty(&sn->endpoints));
}
