// SPDX-License-Identifier: GPL-2.0
/*
 * The socket layer: the AF_STT protocol family, socket creation and the
 * proto_ops table through which every socket call on an STT stream enters the
 * module.  It owns the lifetime of struct stt_sock, from socket() to the last
 * reference, the checks of what a caller passes in, and the socket's hold on
 * its endpoint and session.  Operations that the module does not provide yet
 * answer EOPNOTSUPP.
 */
#include <linux/module.h>
#include <linux/net.h>
#include <net/ipv6.h>

#include "stt.h"
#include "addr.h"

static struct proto stt_proto = {
	.name		= "STT",
	.owner		= THIS_MODULE,
	.obj_size	= sizeof(struct stt_sock),
};

static void stt_inaddr_from(union stt_inaddr *in, const struct sockaddr_stt *sa)
{
	memset(in, 0, sizeof(*in));
	if (sa->sstt_addr_family == AF_INET) {
		in->v4.sin_family = AF_INET;
		in->v4.sin_port = sa->sstt_port;
		in->v4.sin_addr = sa->sstt_addr.v4;
	} else {
		in->v6.sin6_family = AF_INET6;
		in->v6.sin6_port = sa->sstt_port;
		in->v6.sin6_addr = sa->sstt_addr.v6;
		in->v6.sin6_scope_id = sa->sstt_scope_id;
	}
}

static void stt_inaddr_to(struct sockaddr_stt *sa, const union stt_inaddr *in)
{
	sa->sstt_family = stt_family;
	sa->sstt_addr_family = in->sa.sa_family;
	if (in->sa.sa_family == AF_INET) {
		sa->sstt_port = in->v4.sin_port;
		sa->sstt_addr.v4 = in->v4.sin_addr;
	} else {
		sa->sstt_port = in->v6.sin6_port;
		sa->sstt_addr.v6 = in->v6.sin6_addr;
		sa->sstt_scope_id = in->v6.sin6_scope_id;
	}
}

/*
 * getsockname(): the endpoint and our id of the session; getpeername(): the
 * peer node and the id it expects in our packets.  Stream ids come with
 * streams.
 */
static int stt_getname(struct socket *sock, struct sockaddr *uaddr, int peer)
{
	struct sockaddr_stt *sa = (struct sockaddr_stt *)uaddr;
	struct sock *sk = sock->sk;
	struct stt_sock *ssk = stt_sk(sk);
	int err = sizeof(*sa);

	memset(sa, 0, sizeof(*sa));
	lock_sock(sk);
	if (peer) {
		if (sk->sk_state != TCP_ESTABLISHED || !ssk->session) {
			err = -ENOTCONN;
			goto out;
		}
		stt_inaddr_to(sa, &ssk->session->peer);
		sa->sstt_session = ssk->session->peer_id;
	} else if (ssk->ep) {
		stt_inaddr_to(sa, &ssk->ep->local);
		if (ssk->session)
			sa->sstt_session = ssk->session->local_id;
	} else {
		sa->sstt_family = stt_family;
	}
out:
	release_sock(sk);
	return err;
}

static int stt_release(struct socket *sock)
{
	struct sock *sk = sock->sk;
	struct stt_sock *ssk;

	if (!sk)
		return 0;
	ssk = stt_sk(sk);

	lock_sock(sk);
	if (ssk->ep) {
		struct stt_net *sn = ssk->ep->sn;

		mutex_lock(&sn->lock);
		if (ssk->ep->listener == sk)
			ssk->ep->listener = NULL;
		mutex_unlock(&sn->lock);
	}
	/* The session outlives its streams: it is the peer's as well. */
	if (ssk->session) {
		if (!list_empty(&ssk->session_node))
			stt_session_detach(ssk->session, ssk);
		stt_session_put(ssk->session);
	}
	ssk->session = NULL;
	if (ssk->ep)
		stt_endpoint_put(ssk->ep);
	ssk->ep = NULL;
	memzero_explicit(ssk->psk, sizeof(ssk->psk));
	sock_orphan(sk);
	sk->sk_shutdown = SHUTDOWN_MASK;
	sk->sk_state = TCP_CLOSE;
	release_sock(sk);

	sock->sk = NULL;
	sock_put(sk);
	return 0;
}

static int stt_bind(struct socket *sock, struct sockaddr *uaddr, int len)
{
	const struct sockaddr_stt *sa = (struct sockaddr_stt *)uaddr;
	struct sock *sk = sock->sk;
	struct stt_sock *ssk = stt_sk(sk);
	struct stt_endpoint *ep;
	union stt_inaddr local;
	int err;

	err = stt_addr_check(sa, len, stt_family, STT_ADDR_BIND);
	if (err)
		return err;
	stt_inaddr_from(&local, sa);

	lock_sock(sk);
	err = -EINVAL;
	if (ssk->ep)
		goto out;
	ep = stt_endpoint_get(stt_net(sock_net(sk)), &local, false);
	if (IS_ERR(ep)) {
		err = PTR_ERR(ep);
		goto out;
	}
	ssk->ep = ep;
	err = 0;
out:
	release_sock(sk);
	return err;
}

static int stt_listen(struct socket *sock, int backlog)
{
	struct sock *sk = sock->sk;
	struct stt_sock *ssk = stt_sk(sk);
	struct stt_net *sn;
	int err;

	lock_sock(sk);
	err = -EDESTADDRREQ;
	if (!ssk->ep)
		goto out;
	err = -ENOKEY;
	if (!ssk->psk_set)
		goto out;
	err = -EINVAL;
	if (ssk->session)
		goto out;

	sn = ssk->ep->sn;
	mutex_lock(&sn->lock);
	if (!ssk->ep->listener)
		ssk->ep->listener = sk;
	err = ssk->ep->listener == sk ? 0 : -EADDRINUSE;
	mutex_unlock(&sn->lock);
	if (!err) {
		sk->sk_max_ack_backlog = backlog;
		sk->sk_state = TCP_LISTEN;
	}
out:
	release_sock(sk);
	return err;
}

/* Wait for the session's handshake; called with the socket locked. */
static int stt_connect_wait(struct sock *sk, struct stt_session *s, int flags)
{
	int state, err = 0;

	if (flags & O_NONBLOCK) {
		state = READ_ONCE(s->state);
		if (state != STT_SS_ESTABLISHED && state != STT_SS_CLOSED)
			return -EINPROGRESS;
	} else {
		release_sock(sk);
		err = wait_event_interruptible(s->wq,
					       READ_ONCE(s->state) == STT_SS_ESTABLISHED ||
					       READ_ONCE(s->state) == STT_SS_CLOSED);
		lock_sock(sk);
		if (err)
			return sock_intr_errno(MAX_SCHEDULE_TIMEOUT);
	}
	if (READ_ONCE(s->state) == STT_SS_CLOSED)
		return -READ_ONCE(s->error) ?: -ECONNRESET;
	return 0;
}

static int stt_connect(struct socket *sock, struct sockaddr *uaddr, int len,
		       int flags)
{
	const struct sockaddr_stt *sa = (struct sockaddr_stt *)uaddr;
	struct sock *sk = sock->sk;
	struct stt_sock *ssk = stt_sk(sk);
	struct stt_session *s;
	union stt_inaddr peer, any = { };
	int err;

	err = stt_addr_check(sa, len, stt_family, STT_ADDR_CONNECT);
	if (err)
		return err;
	stt_inaddr_from(&peer, sa);

	lock_sock(sk);
	if (sk->sk_state == TCP_ESTABLISHED) {
		err = -EISCONN;
		goto out;
	}
	err = -EINVAL;
	if (sk->sk_state == TCP_LISTEN)
		goto out;
	/* A connect() already under way (non-blocking, or interrupted). */
	if (ssk->session) {
		err = -EALREADY;
		goto wait;
	}
	err = -ENOKEY;
	if (!ssk->psk_set)
		goto out;
	if (!ssk->ep) {
		struct stt_endpoint *ep;

		any.sa.sa_family = peer.sa.sa_family;
		ep = stt_endpoint_get(stt_net(sock_net(sk)), &any, true);
		if (IS_ERR(ep)) {
			err = PTR_ERR(ep);
			goto out;
		}
		ssk->ep = ep;
	} else if (ssk->ep->local.sa.sa_family != peer.sa.sa_family) {
		err = -EAFNOSUPPORT;
		goto out;
	}

	s = stt_session_connect(ssk, ssk->ep, &peer);
	if (IS_ERR(s)) {
		err = PTR_ERR(s);
		goto out;
	}
	ssk->session = s;
	sk->sk_state = TCP_SYN_SENT;
wait:
	err = stt_connect_wait(sk, ssk->session, flags);
	if (err == -EINPROGRESS || err == -ERESTARTSYS || err == -EINTR)
		goto out;
	if (err) {
		stt_session_put(ssk->session);
		ssk->session = NULL;
		sk->sk_state = TCP_CLOSE;
		goto out;
	}
	sk->sk_state = TCP_ESTABLISHED;
	sock->state = SS_CONNECTED;
	stt_session_attach(ssk->session, ssk);
out:
	release_sock(sk);
	return err;
}

static int stt_setsockopt(struct socket *sock, int level, int optname,
			  sockptr_t optval, unsigned int optlen)
{
	struct sock *sk = sock->sk;
	struct stt_sock *ssk = stt_sk(sk);
	u8 key[STT_PSK_LEN];
	int val, err = 0;

	if (level != SOL_STT)
		return -ENOPROTOOPT;

	switch (optname) {
	case STT_PSK:
		if (optlen != STT_PSK_LEN)
			return -EINVAL;
		if (copy_from_sockptr(key, optval, sizeof(key)))
			return -EFAULT;
		lock_sock(sk);
		memcpy(ssk->psk, key, sizeof(key));
		ssk->psk_set = true;
		release_sock(sk);
		memzero_explicit(key, sizeof(key));
		return 0;
	case STT_CIPHER:
		if (optlen < sizeof(int))
			return -EINVAL;
		if (copy_from_sockptr(&val, optval, sizeof(val)))
			return -EFAULT;
		if (!val || val & ~STT_SUITES_ALL)
			return -EINVAL;
		lock_sock(sk);
		ssk->suites = val;
		release_sock(sk);
		return 0;
	default:
		err = -ENOPROTOOPT;
	}
	return err;
}

static int stt_getsockopt(struct socket *sock, int level, int optname,
			  char __user *optval, int __user *optlen)
{
	struct stt_sock *ssk = stt_sk(sock->sk);
	int len, val;

	if (level != SOL_STT)
		return -ENOPROTOOPT;
	if (get_user(len, optlen))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;

	switch (optname) {
	case STT_PSK:
		return -EPERM;		/* keys are write-only */
	case STT_CIPHER:
		val = READ_ONCE(ssk->suites);
		break;
	default:
		return -ENOPROTOOPT;
	}
	len = min_t(int, len, sizeof(val));
	if (put_user(len, optlen) || copy_to_user(optval, &val, len))
		return -EFAULT;
	return 0;
}

/*
 * The socket core never reads proto_ops.family (it dispatches on the family of
 * net_proto_family), so this table can stay const when the module parameter
 * moves STT to another family number.
 */
static const struct proto_ops stt_ops = {
	.family		= PF_STT,
	.owner		= THIS_MODULE,
	.release	= stt_release,
	.bind		= stt_bind,
	.connect	= stt_connect,
	.socketpair	= sock_no_socketpair,
	.accept		= sock_no_accept,
	.getname	= stt_getname,
	.ioctl		= sock_no_ioctl,
	.listen		= stt_listen,
	.shutdown	= sock_no_shutdown,
	.setsockopt	= stt_setsockopt,
	.getsockopt	= stt_getsockopt,
	.sendmsg	= sock_no_sendmsg,
	.recvmsg	= sock_no_recvmsg,
	.mmap		= sock_no_mmap,
};

static int stt_create(struct net *net, struct socket *sock, int protocol,
		      int kern)
{
	struct sock *sk;

	if (protocol)
		return -EPROTONOSUPPORT;
	if (sock->type != SOCK_STREAM && sock->type != SOCK_SEQPACKET)
		return -ESOCKTNOSUPPORT;
	sock->ops = &stt_ops;

	sk = sk_alloc(net, stt_family, GFP_KERNEL, &stt_proto, kern);
	if (!sk)
		return -ENOMEM;

	sock_init_data(sock, sk);
	sk->sk_protocol = protocol;
	sk->sk_state = TCP_CLOSE;
	stt_sk(sk)->suites = READ_ONCE(stt_net(net)->sysctl.suites);
	INIT_LIST_HEAD(&stt_sk(sk)->session_node);
	return 0;
}

static struct net_proto_family stt_family_ops = {
	.create	= stt_create,
	.owner	= THIS_MODULE,
};

/**
 * stt_socket_init() - register the STT protocol and address family
 *
 * Registers under the family number in stt_family.  A number that another
 * protocol already holds, or one the kernel cannot register, fails the load
 * with a message that says which number and how to pick another.
 *
 * Return: 0 or a negative errno.
 */
int stt_socket_init(void)
{
	int err;

	if (stt_family <= 0 || stt_family >= NPROTO) {
		pr_err("address family %d is out of range (1..%d); load with family=N\n",
		       stt_family, NPROTO - 1);
		return -EINVAL;
	}

	stt_family_ops.family = stt_family;

	err = proto_register(&stt_proto, 1);
	if (err)
		return err;

	err = sock_register(&stt_family_ops);
	if (err) {
		if (err == -EEXIST)
			pr_err("address family %d is already taken by another protocol; load with family=N to use a free slot\n",
			       stt_family);
		else
			pr_err("cannot register address family %d: %d\n",
			       stt_family, err);
		proto_unregister(&stt_proto);
		return err;
	}
	return 0;
}

/**
 * stt_socket_exit() - unregister the STT family and protocol
 *
 * No STT socket can exist here: each one pins the module.
 */
void stt_socket_exit(void)
{
	sock_unregister(stt_family);
	proto_unregister(&stt_proto);
}
