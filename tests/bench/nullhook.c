// SPDX-License-Identifier: GPL-2.0
/*
 * nullhook: the floor for hoguard's per-packet cost.
 *
 * Registers, in every network namespace like hoguard does, IPv4 and IPv6
 * netfilter hooks at NF_INET_FORWARD (and at NF_INET_POST_ROUTING too when
 * loaded with postrouting=1) at hoguard's priority, each of which only
 * returns NF_ACCEPT.  tests/bench/fwd.sh measures what the netfilter
 * dispatch of such hooks adds to a forwarded packet.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/net_namespace.h>

static bool nh_postrouting;
module_param_named(postrouting, nh_postrouting, bool, 0444);
MODULE_PARM_DESC(postrouting,
		 "Also hook NF_INET_POST_ROUTING, as hoguard does (default N)");

static unsigned int nh_accept(void *priv, struct sk_buff *skb,
			      const struct nf_hook_state *state)
{
	return NF_ACCEPT;
}

/* FORWARD hooks first: with postrouting=N only those are registered. */
static const struct nf_hook_ops nh_ops[] = {
	{
		.hook		= nh_accept,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_FORWARD,
		.priority	= NF_IP_PRI_RAW,
	},
	{
		.hook		= nh_accept,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_FORWARD,
		.priority	= NF_IP6_PRI_RAW,
	},
	{
		.hook		= nh_accept,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_POST_ROUTING,
		.priority	= NF_IP_PRI_RAW,
	},
	{
		.hook		= nh_accept,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_POST_ROUTING,
		.priority	= NF_IP6_PRI_RAW,
	},
};

static unsigned int nh_nops(void)
{
	return nh_postrouting ? ARRAY_SIZE(nh_ops) : 2;
}

static int __net_init nh_net_init(struct net *net)
{
	return nf_register_net_hooks(net, nh_ops, nh_nops());
}

static void __net_exit nh_net_pre_exit(struct net *net)
{
	nf_unregister_net_hooks(net, nh_ops, nh_nops());
}

static struct pernet_operations nh_net_ops = {
	.init		= nh_net_init,
	.pre_exit	= nh_net_pre_exit,
};

static int __init nh_init(void)
{
	int ret = register_pernet_subsys(&nh_net_ops);

	if (!ret)
		pr_info("empty hooks at FORWARD%s\n",
			nh_postrouting ? " and POST_ROUTING" : "");
	return ret;
}

static void __exit nh_exit(void)
{
	unregister_pernet_subsys(&nh_net_ops);
}

module_init(nh_init);
module_exit(nh_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Empty netfilter hooks: the floor for hoguard's benchmark");
MODULE_AUTHOR("The hoguard authors");
