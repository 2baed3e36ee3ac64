/* Test helpers: a private network namespace with veth and TUN interfaces,
 * traffic in both directions, and the kernel's view of it. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* IPv4 header + UDP header: what nftables counts on top of a payload. */
#define NETNS_UDP4_OVERHEAD 28
/* What a veth adds on top of that in its counters. */
#define NETNS_ETH_HEADER 14

/* Moves this process into a fresh network namespace (IPv6 off, so nothing
 * but our own packets crosses the interfaces). FALSE, after g_test_skip(),
 * when not root or without `ip`. */
gboolean netns_enter (void);

/* Runs `ip ARGS…` (NULL-terminated); asserts success. */
void     netns_ip (const char *first, ...) G_GNUC_NULL_TERMINATED;

void     netns_sysctl (const char *path, const char *value);

/* veth @a (@a_addr/24, up) ↔ @b (no address, MAC @b_mac, up) with a
 * permanent neighbour entry for @peer_addr on @a: no ARP on the wire. */
void     netns_veth (const char *a, const char *a_addr, const char *b,
                     const char *b_mac, const char *peer_addr);

/* A TUN device (@addr/24, up), non-blocking; close the fd to remove it. */
int      netns_tun (const char *name, const char *addr);

typedef struct {
  guint64 rx_bytes, rx_packets, tx_bytes, tx_packets, tx_drop;
} NetnsStats;

/* From /proc/net/dev, which follows this process's namespace (sysfs would
 * still show the namespace it was mounted in). */
void     netns_stats (const char *ifname, NetnsStats *out);

/* An unconnected UDP socket, optionally bound to @addr:@port. */
int      netns_udp_socket (const char *addr, guint16 port);

/* One datagram of @payload bytes to @addr:9; FALSE when the kernel refused
 * it (netfilter's drop surfaces as EPERM). */
gboolean netns_udp_send (int fd, const char *addr, gsize payload);

/* Writes an IPv4/UDP packet with @payload bytes into a TUN fd, as if it had
 * arrived on that interface. */
void     netns_tun_inject (int tun_fd, const char *src, const char *dst,
                           guint16 dport, gsize payload);

/* Reads every packet queued on a non-blocking fd (TUN or UDP socket);
 * returns the count and adds their lengths to @bytes. */
guint    netns_drain (int fd, guint64 *bytes);

/* libnftables, for looking at the ruleset from the outside. NULL on error. */
char    *netns_nft (const char *command);
gboolean netns_table_exists (const char *name);

G_END_DECLS
