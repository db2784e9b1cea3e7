// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Network isolation of a cgroup (agent/loader/isolate.c attaches these to
 * the cgroup a process tree was moved into). Outbound connect and sendmsg
 * are refused (EPERM) and inbound packets dropped, except loopback and the
 * allow-listed endpoints (the control plane, DNS if configured). Not part
 * of the probe families: nothing here runs until a tree is isolated. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "events.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VIGIL_ISOLATE_ALLOW_MAX);
	__type(key, struct vigil_allow4_key);
	__type(value, __u8);
} isolate_allow4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VIGIL_ISOLATE_ALLOW_MAX);
	__type(key, struct vigil_allow6_key);
	__type(value, __u8);
} isolate_allow6 SEC(".maps");

/* Refusals since load: [0] connect/sendmsg, [1] inbound packets. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} isolate_denied SEC(".maps");

static __always_inline void count_denied(__u32 i)
{
	__u64 *n = bpf_map_lookup_elem(&isolate_denied, &i);

	if (n)
		__sync_fetch_and_add(n, 1);
}

/* Addresses and ports in network byte order, as the hooks give them. */
static __always_inline bool allowed4(__u32 addr, __u16 port)
{
	struct vigil_allow4_key k = { .addr = addr, .port = port, .pad = 0 };

	if ((bpf_ntohl(addr) >> 24) == 127)
		return true;
	if (bpf_map_lookup_elem(&isolate_allow4, &k))
		return true;
	k.port = 0; /* an address allowed on every port */
	return bpf_map_lookup_elem(&isolate_allow4, &k) != NULL;
}

static __always_inline bool allowed6(const __u32 ip6[4], __u16 port)
{
	struct vigil_allow6_key k = { .port = port, .pad = 0 };

	/* ::1, or an IPv4-mapped address judged as IPv4 */
	if (!ip6[0] && !ip6[1] && !ip6[2] && ip6[3] == bpf_htonl(1))
		return true;
	if (!ip6[0] && !ip6[1] && ip6[2] == bpf_htonl(0xffff))
		return allowed4(ip6[3], port);
	k.addr[0] = ip6[0];
	k.addr[1] = ip6[1];
	k.addr[2] = ip6[2];
	k.addr[3] = ip6[3];
	if (bpf_map_lookup_elem(&isolate_allow6, &k))
		return true;
	k.port = 0; /* an address allowed on every port */
	return bpf_map_lookup_elem(&isolate_allow6, &k) != NULL;
}

static __always_inline int verdict(bool ok)
{
	if (!ok)
		count_denied(0);
	return ok ? 1 : 0;
}

SEC("cgroup/connect4")
int isolate_connect4(struct bpf_sock_addr *ctx)
{
	return verdict(allowed4(ctx->user_ip4, (__u16)ctx->user_port));
}

SEC("cgroup/sendmsg4")
int isolate_sendmsg4(struct bpf_sock_addr *ctx)
{
	return verdict(allowed4(ctx->user_ip4, (__u16)ctx->user_port));
}

SEC("cgroup/connect6")
int isolate_connect6(struct bpf_sock_addr *ctx)
{
	__u32 ip6[4] = { ctx->user_ip6[0], ctx->user_ip6[1], ctx->user_ip6[2], ctx->user_ip6[3] };

	return verdict(allowed6(ip6, (__u16)ctx->user_port));
}

SEC("cgroup/sendmsg6")
int isolate_sendmsg6(struct bpf_sock_addr *ctx)
{
	__u32 ip6[4] = { ctx->user_ip6[0], ctx->user_ip6[1], ctx->user_ip6[2], ctx->user_ip6[3] };

	return verdict(allowed6(ip6, (__u16)ctx->user_port));
}

/* Inbound: from loopback or an allow-listed endpoint (its port as the source) passes. */
SEC("cgroup_skb/ingress")
int isolate_ingress(struct __sk_buff *skb)
{
	if (skb->protocol == bpf_htons(0x0800 /* ETH_P_IP */)) {
		__u32 saddr;

		if (bpf_skb_load_bytes(skb, 12, &saddr, sizeof(saddr)))
			return 1;
		__u8 vihl;
		__u16 sport = 0;

		if (bpf_skb_load_bytes(skb, 0, &vihl, 1))
			return 1;
		/* an allowed endpoint answers from its port (TCP and UDP put it first) */
		bpf_skb_load_bytes(skb, (vihl & 0xf) * 4, &sport, sizeof(sport));
		if (allowed4(saddr, sport))
			return 1;
	} else if (skb->protocol == bpf_htons(0x86DD /* ETH_P_IPV6 */)) {
		__u32 src[4];
		__u16 sport = 0;

		if (bpf_skb_load_bytes(skb, 8, src, sizeof(src)))
			return 1;
		/* TCP and UDP right after the fixed 40-byte header put the source port first */
		bpf_skb_load_bytes(skb, 40, &sport, sizeof(sport));
		if (allowed6(src, sport))
			return 1;
	} else {
		return 1;
	}
	count_denied(1);
	return 0;
}
