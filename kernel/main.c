// SPDX-License-Identifier: GPL-2.0
/*
 * Module entry and exit.  Owns the module parameters and the order in which
 * the parts of STT are brought up at load and torn down at unload; each part
 * owns its own state and offers an init/exit pair.
 */
#include <linux/module.h>
#include <linux/net.h>

#include "stt.h"

int stt_family = AF_STT;
module_param_named(family, stt_family, int, 0444);
MODULE_PARM_DESC(family, "address family number of STT (default " __stringify(AF_STT) ")");

static int __init stt_init(void)
{
	int err;

	stt_wq = alloc_workqueue("stt", 0, 0);
	if (!stt_wq)
		return -ENOMEM;
	err = stt_net_register();
	if (err)
		goto err_wq;
	err = stt_txq_register();
	if (err)
		goto err_net;
	err = stt_socket_init();
	if (err)
		goto err_txq;

	pr_info("STT loaded, address family %d\n", stt_family);
	return 0;

err_txq:
	stt_txq_exit();
err_net:
	stt_net_unregister();
err_wq:
	destroy_workqueue(stt_wq);
	return err;
}

/*
 * Sockets are gone (each pinned the module); sessions go with the namespaces,
 * and their transmit sockets (txq.c) with their last packets.
 */
static void __exit stt_exit(void)
{
	stt_socket_exit();
	stt_net_unregister();
	stt_txq_exit();
	destroy_workqueue(stt_wq);
}

module_init(stt_init);
module_exit(stt_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("STT: multi-stream encrypted transport over UDP");
MODULE_AUTHOR("The STT developers");
MODULE_ALIAS_NETPROTO(AF_STT);
