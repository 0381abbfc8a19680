// SPDX-License-Identifier: GPL-2.0
/*
 * The socket layer: the AF_STT protocol family, socket creation and the
 * proto_ops table through which every socket call on an STT stream enters the
 * module.  It owns the lifetime of struct stt_sock, from socket() to the last
 * reference, and the checks of what a caller passes in.  Operations that the
 * module does not provide yet answer EOPNOTSUPP.
 */
#include <linux/module.h>
#include <linux/net.h>

#include "stt.h"
#include "addr.h"

static struct proto stt_proto = {
	.name		= "STT",
	.owner		= THIS_MODULE,
	.obj_size	= sizeof(struct stt_sock),
};

static int stt_release(struct socket *sock)
{
	struct sock *sk = sock->sk;

	if (!sk)
		return 0;

	lock_sock(sk);
	sock_orphan(sk);
	sk->sk_shutdown = SHUTDOWN_MASK;
	release_sock(sk);

	sock->sk = NULL;
	sock_put(sk);
	return 0;
}

static int stt_bind(struct socket *sock, struct sockaddr *uaddr, int len)
{
	int err;

	err = stt_addr_check((struct sockaddr_stt *)uaddr, len, stt_family,
			     STT_ADDR_BIND);
	if (err)
		return err;
	return -EOPNOTSUPP;
}

static int stt_connect(struct socket *sock, struct sockaddr *uaddr, int len,
		       int flags)
{
	int err;

	err = stt_addr_check((struct sockaddr_stt *)uaddr, len, stt_family,
			     STT_ADDR_CONNECT);
	if (err)
		return err;
	return -EOPNOTSUPP;
}

static int stt_setsockopt(struct socket *sock, int level, int optname,
			  sockptr_t optval, unsigned int optlen)
{
	return -ENOPROTOOPT;
}

static int stt_getsockopt(struct socket *sock, int level, int optname,
			  char __user *optval, int __user *optlen)
{
	return -ENOPROTOOPT;
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
	.getname	= sock_no_getname,
	.ioctl		= sock_no_ioctl,
	.listen		= sock_no_listen,
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
