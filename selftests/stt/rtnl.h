/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Named network namespaces, veth pairs, addresses and routes for the STT
 * selftests, made with system calls and rtnetlink instead of ip(8).  Under
 * the debug kernel in an emulated guest every exec costs one to two seconds,
 * and each test case builds and removes its hosts: with ip(8) that was some
 * five execs, 5-10 s, per case, over a hundred cases.
 *
 * A name is a bind mount of the namespace at /run/netns/NAME, as "ip netns
 * add" makes it, so "ip -n NAME" and "ip netns exec NAME" still work on it.
 * Every function acts on the calling thread's network namespace unless it
 * takes a name, and returns 0 or -1 (errno set, or the netlink error).
 */
#ifndef _STT_RTNL_H
#define _STT_RTNL_H

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>

#define STT_NETNS_DIR "/run/netns"

/* A netlink request under construction: header, fixed part, attributes. */
struct stt_nlreq {
	union {
		struct nlmsghdr h;
		char buf[1024];
	};
};

/* Start a request of @type with a fixed part of @len bytes at @fixed. */
static inline void *stt_nl_start(struct stt_nlreq *r, int type, int flags,
				 const void *fixed, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->h.nlmsg_len = NLMSG_LENGTH(len);
	r->h.nlmsg_type = type;
	r->h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	memcpy(NLMSG_DATA(&r->h), fixed, len);
	return NLMSG_DATA(&r->h);
}

/* Append attribute @type with @len bytes of @data; returns it (for nesting). */
static inline struct rtattr *stt_nl_attr(struct stt_nlreq *r, int type,
					 const void *data, size_t len)
{
	struct rtattr *a = (struct rtattr *)(r->buf + NLMSG_ALIGN(r->h.nlmsg_len));

	a->rta_type = type;
	a->rta_len = RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(a), data, len);
	r->h.nlmsg_len = NLMSG_ALIGN(r->h.nlmsg_len) + RTA_ALIGN(a->rta_len);
	return a;
}

/* Close a nested attribute opened by stt_nl_attr(r, type, NULL, 0). */
static inline void stt_nl_end(struct stt_nlreq *r, struct rtattr *nest)
{
	nest->rta_len = r->buf + r->h.nlmsg_len - (char *)nest;
}

/* Send @r on a new rtnetlink socket of this namespace; wait for its ACK. */
static inline int stt_nl_talk(struct stt_nlreq *r)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	char ans[1024];
	struct nlmsghdr *h = (struct nlmsghdr *)ans;
	int fd, rc = -1;
	ssize_t n;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -1;
	if (sendto(fd, r->buf, r->h.nlmsg_len, 0, (struct sockaddr *)&sa,
		   sizeof(sa)) != (ssize_t)r->h.nlmsg_len)
		goto out;
	n = recv(fd, ans, sizeof(ans), 0);
	if (n >= (ssize_t)NLMSG_LENGTH(sizeof(struct nlmsgerr)) &&
	    h->nlmsg_type == NLMSG_ERROR) {
		rc = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
		if (rc) {
			errno = -rc;
			rc = -1;
		}
	}
out:
	close(fd);
	return rc;
}

/* Bring interface @dev up. */
static inline int stt_nl_up(const char *dev)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_flags = IFF_UP,
				 .ifi_change = IFF_UP };
	struct stt_nlreq r;

	ifi.ifi_index = if_nametoindex(dev);
	if (!ifi.ifi_index)
		return -1;
	stt_nl_start(&r, RTM_NEWLINK, 0, &ifi, sizeof(ifi));
	return stt_nl_talk(&r);
}

/*
 * A veth pair: @dev here and @peer_dev in the namespace open at @peer_ns_fd.
 */
static inline int stt_nl_veth(const char *dev, const char *peer_dev,
			      int peer_ns_fd)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct rtattr *info, *data, *peer;
	struct stt_nlreq r;

	stt_nl_start(&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof(ifi));
	stt_nl_attr(&r, IFLA_IFNAME, dev, strlen(dev) + 1);
	info = stt_nl_attr(&r, IFLA_LINKINFO, NULL, 0);
	stt_nl_attr(&r, IFLA_INFO_KIND, "veth", 4);
	data = stt_nl_attr(&r, IFLA_INFO_DATA, NULL, 0);
	peer = stt_nl_attr(&r, VETH_INFO_PEER, &ifi, sizeof(ifi));
	stt_nl_attr(&r, IFLA_IFNAME, peer_dev, strlen(peer_dev) + 1);
	stt_nl_attr(&r, IFLA_NET_NS_FD, &peer_ns_fd, sizeof(peer_ns_fd));
	stt_nl_end(&r, peer);
	stt_nl_end(&r, data);
	stt_nl_end(&r, info);
	return stt_nl_talk(&r);
}

/* Address @addr/@plen on @dev; IPv6 without duplicate address detection. */
static inline int stt_nl_addr(const char *dev, const char *addr, int plen)
{
	struct ifaddrmsg ifa = { .ifa_prefixlen = plen };
	unsigned char bin[16];
	struct stt_nlreq r;
	size_t len;

	ifa.ifa_family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	len = ifa.ifa_family == AF_INET6 ? 16 : 4;
	if (inet_pton(ifa.ifa_family, addr, bin) != 1)
		return -1;
	if (ifa.ifa_family == AF_INET6)
		ifa.ifa_flags = IFA_F_NODAD;
	ifa.ifa_index = if_nametoindex(dev);
	if (!ifa.ifa_index)
		return -1;
	stt_nl_start(&r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, &ifa, sizeof(ifa));
	stt_nl_attr(&r, IFA_LOCAL, bin, len);
	stt_nl_attr(&r, IFA_ADDRESS, bin, len);
	return stt_nl_talk(&r);
}

/* An IPv4 default route via @gw. */
static inline int stt_nl_default_route(const char *gw)
{
	struct rtmsg rtm = { .rtm_family = AF_INET, .rtm_table = RT_TABLE_MAIN,
			     .rtm_protocol = RTPROT_BOOT,
			     .rtm_scope = RT_SCOPE_UNIVERSE,
			     .rtm_type = RTN_UNICAST };
	struct in_addr in;
	struct stt_nlreq r;

	if (inet_pton(AF_INET, gw, &in) != 1)
		return -1;
	stt_nl_start(&r, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, &rtm, sizeof(rtm));
	stt_nl_attr(&r, RTA_GATEWAY, &in, sizeof(in));
	return stt_nl_talk(&r);
}

/*
 * A new network namespace named @name: the calling thread unshares one,
 * binds it to /run/netns/@name and goes back where it was.
 */
static inline int stt_netns_add(const char *name)
{
	char path[64];
	int back, fd, rc = -1;

	mkdir(STT_NETNS_DIR, 0755);
	snprintf(path, sizeof(path), STT_NETNS_DIR "/%s", name);
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
	if (fd < 0)
		return -1;
	close(fd);
	back = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (back < 0)
		goto undo;
	if (!unshare(CLONE_NEWNET)) {
		rc = mount("/proc/thread-self/ns/net", path, "none", MS_BIND, NULL);
		if (setns(back, CLONE_NEWNET))
			rc = -1;
	}
	close(back);
	if (!rc)
		return 0;
undo:
	umount2(path, MNT_DETACH);
	unlink(path);
	return -1;
}

/* Drop the name @name; the namespace goes once nothing else holds it. */
static inline int stt_netns_del(const char *name)
{
	char path[64];

	snprintf(path, sizeof(path), STT_NETNS_DIR "/%s", name);
	umount2(path, MNT_DETACH);
	return unlink(path);
}

#endif /* _STT_RTNL_H */
