/*
 * The quota against the real kernel, each case in a network namespace of
 * its own (this process unshares one per case; nothing outside it is
 * touched). Needs root; skips otherwise.
 *
 * Like with like: nftables counts IP packets (L3). A 1000-byte UDP payload
 * is a 1028-byte packet; a veth's counters add the 14-byte Ethernet header
 * (1042), a TUN's add nothing.
 */
#define _GNU_SOURCE /* unshare() */

#include "sb-quota.h"
#include "sb-error.h"
#include "netns.h"

#include <sched.h>
#include <gio/gio.h>
#include <linux/capability.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define KEY "89811000222233334444"
#define PAYLOAD 1000
#define PACKET (PAYLOAD + NETNS_UDP4_OVERHEAD)

#define VETH_ADDR "10.77.0.1"
#define VETH_PEER "10.77.0.2"
#define TUN_ADDR "10.78.0.1"
#define TUN_PEER "10.78.0.2"
#define LAN_ADDR "10.79.0.1"
#define LAN_PEER "10.79.0.2"
#define RECV_PORT 5001

/* A network namespace of its own with the veth sbq0 (VETH_ADDR) to sbq1;
 * FALSE, the test skipped, when it cannot be had. */
static gboolean
enter_with_veth (void)
{
  if (!netns_enter ())
    return FALSE;
  netns_veth ("sbq0", VETH_ADDR, "sbq1", "02:00:00:00:00:02", VETH_PEER);
  return TRUE;
}

static SbQuota *
quota_new (const char *instance)
{
  g_autoptr(GError) error = NULL;
  SbQuota *q = sb_quota_new (instance, &error);

  g_assert_no_error (error);
  g_assert_nonnull (q);
  return q;
}

/* A quota for @instance's table cannot be had: @code says why. */
static void
assert_quota_refused (const char *instance, gint code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SbQuota) q = sb_quota_new (instance, &error);

  g_assert_null (q);
  g_assert_error (error, G_IO_ERROR, code);
}

static void
quota_set (SbQuota *q, const char *key, const char *ifname, guint64 bytes)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (sb_quota_set (q, key, ifname, bytes, &error));
  g_assert_no_error (error);
}

static guint64
consumed (SbQuota *q, const char *key, gboolean *exceeded)
{
  g_autoptr(GError) error = NULL;
  guint64 bytes = G_MAXUINT64;
  gboolean ex = FALSE;

  g_assert_true (sb_quota_get_consumed (q, key, &bytes, &ex, &error));
  g_assert_no_error (error);
  if (exceeded)
    *exceeded = ex;
  return bytes;
}

/* The quota's figure for @key and whether it was exceeded. */
static void
assert_consumed (SbQuota *q, const char *key, guint64 bytes, gboolean exceeded)
{
  gboolean ex = FALSE;

  g_assert_cmpuint (consumed (q, key, &ex), ==, bytes);
  g_assert_cmpint (ex, ==, exceeded);
}

/* Sends up to @max datagrams; returns how many went out. Once the kernel
 * refuses one, it must refuse all that follow. */
static guint
send_until_refused (int fd, const char *dst, guint max)
{
  guint sent = 0;
  gboolean refused = FALSE;

  for (guint i = 0; i < max; i++)
    {
      if (netns_udp_send (fd, dst, PAYLOAD))
        {
          g_assert_false (refused);
          sent++;
        }
      else
        {
          refused = TRUE;
        }
    }
  return sent;
}

/* The bytes that passed stay below the limit, short of it by less than the
 * packet that was refused. */
static void
assert_stopped_at (guint64 passed, guint64 limit, guint64 largest_packet)
{
  g_assert_cmpuint (passed, <, limit);
  g_assert_cmpuint (passed + largest_packet, >=, limit);
}

static void
test_veth_stop (void)
{
  const guint64 limit = 1000000;
  g_autoptr(SbQuota) q = NULL;
  NetnsStats before, after;
  guint sent;
  gint64 t0, t1;
  int fd;

  if (!enter_with_veth ())
    return;
  q = quota_new ("stop");
  quota_set (q, KEY, "sbq0", limit);
  assert_consumed (q, KEY, 0, FALSE);

  fd = netns_udp_socket (NULL, 0);
  netns_stats ("sbq0", &before);
  sent = send_until_refused (fd, VETH_PEER, 100);
  g_assert_cmpuint (sent, ==, 100);
  assert_consumed (q, KEY, 100 * PACKET, FALSE);

  /* Full speed: no pause between datagrams. */
  t0 = g_get_monotonic_time ();
  sent += send_until_refused (fd, VETH_PEER, 2 * limit / PACKET);
  t1 = g_get_monotonic_time ();
  netns_stats ("sbq0", &after);
  close (fd);

  assert_stopped_at ((guint64) sent * PACKET, limit, PACKET);
  /* The kernel caps its figure at the limit once it refuses a packet. */
  assert_consumed (q, KEY, limit, TRUE);
  /* What crossed the veth, counted by the interface: one Ethernet header
   * more per packet, nothing else (IPv6 off, static neighbour). */
  g_assert_cmpuint (after.tx_drop - before.tx_drop, ==, 0);
  g_assert_cmpuint (after.tx_packets - before.tx_packets, ==, sent);
  g_assert_cmpuint (after.tx_bytes - before.tx_bytes, ==,
                    (guint64) sent * (PACKET + NETNS_ETH_HEADER));
  g_test_message ("limit %" G_GUINT64_FORMAT ": %" G_GUINT64_FORMAT
                  " L3 bytes passed (%" G_GUINT64_FORMAT " short, 0 over), "
                  "%" G_GUINT64_FORMAT " L2 bytes on the veth; "
                  "sender at %.0f Mbit/s",
                  limit, (guint64) sent * PACKET,
                  limit - (guint64) sent * PACKET,
                  after.tx_bytes - before.tx_bytes,
                  (double) (2 * limit / PACKET) * PACKET * 8 / (double) MAX (t1 - t0, 1));
}

static void
test_veth_override (void)
{
  g_autoptr(SbQuota) q = NULL;
  guint sent;
  int fd;

  if (!enter_with_veth ())
    return;
  q = quota_new ("override");
  fd = netns_udp_socket (NULL, 0);

  quota_set (q, KEY, "sbq0", 200000);
  sent = send_until_refused (fd, VETH_PEER, 400);
  assert_stopped_at ((guint64) sent * PACKET, 200000, PACKET);
  g_assert_true (netns_udp_send (fd, VETH_PEER, PAYLOAD) == FALSE);

  /* Override: counted afresh from zero, traffic resumes, stops again. */
  quota_set (q, KEY, "sbq0", 300000);
  assert_consumed (q, KEY, 0, FALSE);
  sent = send_until_refused (fd, VETH_PEER, 600);
  assert_stopped_at ((guint64) sent * PACKET, 300000, PACKET);
  assert_consumed (q, KEY, 300000, TRUE);

  /* 0 blocks at once. */
  quota_set (q, KEY, "sbq0", 0);
  g_assert_false (netns_udp_send (fd, VETH_PEER, PAYLOAD));
  g_assert_false (netns_udp_send (fd, VETH_PEER, 1));
  assert_consumed (q, KEY, 0, TRUE);

  /* Moving the quota to another interface replaces the rules: sbq0 is
   * free again. */
  quota_set (q, KEY, "wwan0", 0);
  g_assert_cmpuint (send_until_refused (fd, VETH_PEER, 50), ==, 50);
  g_assert_cmpuint (consumed (q, KEY, NULL), ==, 0);

  /* Beyond what the kernel can hold: taken as its maximum. */
  quota_set (q, KEY, "sbq0", G_MAXUINT64);
  g_assert_cmpuint (send_until_refused (fd, VETH_PEER, 50), ==, 50);
  assert_consumed (q, KEY, 50 * PACKET, FALSE);
  close (fd);
}

static void
test_veth_clear (void)
{
  g_autoptr(SbQuota) q = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *listing = NULL;
  g_autofree char *cmd = NULL;
  guint64 bytes = 0;
  int fd;

  if (!enter_with_veth ())
    return;
  q = quota_new ("clear");
  fd = netns_udp_socket (NULL, 0);

  quota_set (q, KEY, "sbq0", 0);
  g_assert_false (netns_udp_send (fd, VETH_PEER, PAYLOAD));
  quota_set (q, "other", "sbq0", 1000000);

  g_assert_true (sb_quota_clear (q, KEY, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (send_until_refused (fd, VETH_PEER, 100), ==, 100);

  g_assert_false (sb_quota_get_consumed (q, KEY, &bytes, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  /* The other profile's quota is untouched and counted the traffic. */
  g_assert_cmpuint (consumed (q, "other", NULL), ==, 100 * PACKET);

  cmd = g_strdup_printf ("list table inet %s", sb_quota_get_table (q));
  listing = netns_nft (cmd);
  g_assert_nonnull (listing);
  g_assert_null (strstr (listing, KEY));
  g_assert_nonnull (strstr (listing, "q_other"));

  /* Clearing what is not there is no error. */
  g_assert_true (sb_quota_clear (q, KEY, &error));
  g_assert_no_error (error);
  g_assert_true (sb_quota_clear (q, "never-set", &error));
  g_assert_no_error (error);
  close (fd);
}

/* One quota for both directions on a raw-IP interface, like wwan0. */
static void
test_tun_both_directions (void)
{
  const guint64 limit = 100000;
  const gsize in_payload = 500;
  g_autoptr(SbQuota) q = NULL;
  guint64 out_bytes = 0, in_bytes = 0;
  guint out_pkts = 0, in_pkts = 0;
  NetnsStats before, after;
  int tun, tx, rx;

  if (!netns_enter ())
    return;
  tun = netns_tun ("sbtun0", TUN_ADDR);
  tx = netns_udp_socket (NULL, 0);
  rx = netns_udp_socket (TUN_ADDR, RECV_PORT);
  q = quota_new ("tun");
  quota_set (q, KEY, "sbtun0", limit);
  netns_stats ("sbtun0", &before);

  for (guint i = 0; i < 200; i++)
    {
      netns_udp_send (tx, TUN_PEER, PAYLOAD);
      netns_tun_inject (tun, TUN_PEER, TUN_ADDR, RECV_PORT, in_payload);
      out_pkts += netns_drain (tun, &out_bytes);
      in_pkts += netns_drain (rx, &in_bytes);
      if (i == 9)
        {
          g_assert_cmpuint (out_pkts, ==, 10);
          g_assert_cmpuint (in_pkts, ==, 10);
          g_assert_cmpuint (consumed (q, KEY, NULL), ==,
                            10 * PACKET + 10 * (in_payload + NETNS_UDP4_OVERHEAD));
        }
    }
  netns_stats ("sbtun0", &after);
  in_bytes += (guint64) in_pkts * NETNS_UDP4_OVERHEAD;  /* socket saw payloads */

  g_assert_cmpuint (out_bytes, ==, (guint64) out_pkts * PACKET);
  assert_stopped_at (out_bytes + in_bytes, limit, PACKET);
  assert_consumed (q, KEY, limit, TRUE);
  /* A TUN carries bare IP: its counters and the quota agree byte for byte. */
  g_assert_cmpuint (after.tx_bytes - before.tx_bytes, ==, out_bytes);
  g_test_message ("tun: %u out, %u in, %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
                  " bytes passed", out_pkts, in_pkts, out_bytes + in_bytes, limit);

  g_clear_pointer (&q, sb_quota_free);
  close (rx);
  close (tx);
  close (tun);
}

/* Connection sharing: traffic routed through the modem interface passes
 * neither input nor output, and must count all the same. */
static void
test_tun_forward (void)
{
  const guint64 limit = 50000;
  g_autoptr(SbQuota) q = NULL;
  guint64 up_bytes = 0, down_bytes = 0;
  guint up = 0, down = 0;
  int wan, lan;

  if (!netns_enter ())
    return;
  wan = netns_tun ("sbwan0", TUN_ADDR);
  lan = netns_tun ("sblan0", LAN_ADDR);
  netns_sysctl ("/proc/sys/net/ipv4/ip_forward", "1");
  netns_sysctl ("/proc/sys/net/ipv4/conf/all/rp_filter", "0");
  netns_sysctl ("/proc/sys/net/ipv4/conf/sbwan0/rp_filter", "0");
  netns_sysctl ("/proc/sys/net/ipv4/conf/sblan0/rp_filter", "0");
  q = quota_new ("fwd");
  quota_set (q, KEY, "sbwan0", limit);

  for (guint i = 0; i < 100; i++)
    {
      /* a LAN host uploads through the modem, and gets an answer */
      netns_tun_inject (lan, LAN_PEER, TUN_PEER, 9, PAYLOAD);
      netns_tun_inject (wan, TUN_PEER, LAN_PEER, 9, PAYLOAD);
      up += netns_drain (wan, &up_bytes);
      down += netns_drain (lan, &down_bytes);
      if (i == 4)
        {
          g_assert_cmpuint (up, ==, 5);
          g_assert_cmpuint (down, ==, 5);
          g_assert_cmpuint (consumed (q, KEY, NULL), ==, 10 * PACKET);
        }
    }
  g_assert_cmpuint (up_bytes, ==, (guint64) up * PACKET);
  g_assert_cmpuint (down_bytes, ==, (guint64) down * PACKET);
  assert_stopped_at (up_bytes + down_bytes, limit, PACKET);
  assert_consumed (q, KEY, limit, TRUE);

  g_clear_pointer (&q, sb_quota_free);
  close (lan);
  close (wan);
}

static void
test_instances (void)
{
  g_autoptr(SbQuota) a = NULL;
  g_autoptr(SbQuota) b = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *table_a = NULL;
  guint sent_a, sent_b;
  int fd;

  if (!enter_with_veth ())
    return;
  netns_veth ("sbq2", "10.76.0.1", "sbq3", "02:00:00:00:00:03", "10.76.0.2");
  fd = netns_udp_socket (NULL, 0);

  a = quota_new ("inst_a");
  b = quota_new ("inst_b");
  g_assert_cmpstr (sb_quota_get_table (a), !=, sb_quota_get_table (b));
  table_a = g_strdup (sb_quota_get_table (a));
  /* Same profile key in both: each instance has its own objects. */
  quota_set (a, KEY, "sbq0", 50000);
  quota_set (b, KEY, "sbq2", 10000000);

  g_assert_cmpuint (send_until_refused (fd, VETH_PEER, 20), ==, 20);
  g_assert_cmpuint (send_until_refused (fd, "10.76.0.2", 30), ==, 30);
  g_assert_cmpuint (consumed (a, KEY, NULL), ==, 20 * PACKET);
  g_assert_cmpuint (consumed (b, KEY, NULL), ==, 30 * PACKET);

  sent_a = 20 + send_until_refused (fd, VETH_PEER, 100);
  assert_stopped_at ((guint64) sent_a * PACKET, 50000, PACKET);
  sent_b = 30 + send_until_refused (fd, "10.76.0.2", 100);
  g_assert_cmpuint (sent_b, ==, 130);
  g_assert_cmpuint (consumed (b, KEY, NULL), ==, 130 * PACKET);

  /* One instance per table: a second one for "inst_b" is refused while
   * its owner (this very process) lives. */
  assert_quota_refused ("inst_b", G_IO_ERROR_EXISTS);

  g_assert_true (sb_quota_clear (a, KEY, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (consumed (b, KEY, NULL), ==, 130 * PACKET);

  g_clear_pointer (&a, sb_quota_free);
  g_assert_false (netns_table_exists (table_a));
  g_assert_true (netns_table_exists (sb_quota_get_table (b)));
  g_assert_cmpuint (send_until_refused (fd, "10.76.0.2", 10), ==, 10);
  g_assert_cmpuint (consumed (b, KEY, NULL), ==, 140 * PACKET);
  close (fd);
}

static void
child_exit (pid_t pid)
{
  int status = 0;

  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
}

/* A daemon that dies without cleaning up. */
static void
leave_table_behind (const char *instance)
{
  pid_t pid = fork ();

  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    _exit (sb_quota_new (instance, NULL) ? 0 : 1);
  child_exit (pid);
}

static void
test_stale (void)
{
  g_autoptr(SbQuota) self = NULL;
  g_autoptr(SbQuota) replaced = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *recycled = NULL;
  g_autofree char *out = NULL;
  g_autofree char *our_pid = g_strdup_printf ("pid=%d ", (int) getpid ());
  int ready[2], go[2];
  pid_t live;
  char c;

  if (!netns_enter ())
    return;

  leave_table_behind ("dead");
  g_assert_true (netns_table_exists ("simbudget_dead"));

  /* A daemon that is still running. */
  g_assert_cmpint (pipe (ready), ==, 0);
  g_assert_cmpint (pipe (go), ==, 0);
  live = fork ();
  g_assert_cmpint (live, >=, 0);
  if (live == 0)
    {
      SbQuota *q;

      close (go[1]);
      close (ready[0]);
      q = sb_quota_new ("alive", NULL);
      if (q == NULL || write (ready[1], "r", 1) != 1)
        _exit (1);
      /* Until the parent closes its end. */
      if (read (go[0], &c, 1) != 0)
        _exit (1);
      sb_quota_free (q);
      _exit (0);
    }
  close (ready[1]);
  close (go[0]);
  g_assert_cmpint (read (ready[0], &c, 1), ==, 1);

  self = quota_new ("self");
  /* No owner record: not known to be ours, never removed. */
  out = netns_nft ("add table inet simbudget_foreign");
  g_assert_nonnull (out);
  g_clear_pointer (&out, g_free);
  /* Our own PID with another start time: the PID was recycled. */
  recycled = g_strdup_printf ("add table inet simbudget_recycled "
                              "{ comment \"simbudgetd pid=%d start=1\"; }",
                              (int) getpid ());
  out = netns_nft (recycled);
  g_assert_nonnull (out);

  g_assert_true (sb_quota_remove_stale_tables (&error));
  g_assert_no_error (error);
  g_assert_false (netns_table_exists ("simbudget_dead"));
  g_assert_false (netns_table_exists ("simbudget_recycled"));
  g_assert_true (netns_table_exists ("simbudget_alive"));
  g_assert_true (netns_table_exists ("simbudget_self"));
  g_assert_true (netns_table_exists ("simbudget_foreign"));

  /* sb_quota_new() takes over a stale table of its own name by itself … */
  leave_table_behind ("dead2");
  replaced = quota_new ("dead2");
  g_clear_pointer (&out, g_free);
  out = netns_nft ("list table inet simbudget_dead2");
  g_assert_nonnull (strstr (out, "comment \"simbudgetd pid="));
  g_assert_nonnull (strstr (out, our_pid));
  /* … but not a live or an unknown owner's. */
  assert_quota_refused ("alive", G_IO_ERROR_EXISTS);
  assert_quota_refused ("foreign", G_IO_ERROR_EXISTS);

  close (go[1]);
  child_exit (live);
  close (ready[0]);
  g_assert_false (netns_table_exists ("simbudget_alive"));
}

static void
drop_net_admin (void)
{
  struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
  struct __user_cap_data_struct data[2] = { { 0 } };
  const guint32 bit = 1u << (CAP_NET_ADMIN % 32);
  const guint idx = CAP_NET_ADMIN / 32;

  g_assert_cmpint (syscall (SYS_capget, &hdr, data), ==, 0);
  data[idx].effective &= ~bit;
  data[idx].permitted &= ~bit;
  data[idx].inheritable &= ~bit;
  g_assert_cmpint (prctl (PR_CAPBSET_DROP, CAP_NET_ADMIN, 0, 0, 0), ==, 0);
  g_assert_cmpint (syscall (SYS_capset, &hdr, data), ==, 0);
}

static void
assert_permission_denied (void)
{
  g_autoptr(GError) error = NULL;

  assert_quota_refused ("nocap", G_IO_ERROR_PERMISSION_DENIED);
  g_assert_false (sb_quota_remove_stale_tables (&error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
}

static void
run_in_subprocess (void)
{
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  /* and nothing was created meanwhile */
  g_assert_false (netns_table_exists ("simbudget_nocap"));
}

/* A daemon started without CAP_NET_ADMIN. */
static void
test_no_cap (void)
{
  if (g_test_subprocess ())
    {
      drop_net_admin ();
      assert_permission_denied ();
      return;
    }
  if (netns_enter ())
    run_in_subprocess ();
}

/* Every capability, but in a user namespace that does not own the network
 * namespace: only the kernel can say no, and its answer must come out as
 * the same error. */
static void
test_no_cap_userns (void)
{
  if (g_test_subprocess ())
    {
      g_assert_cmpint (unshare (CLONE_NEWUSER), ==, 0);
      assert_permission_denied ();
      return;
    }
  if (netns_enter ())
    run_in_subprocess ();
}

static void
test_injection (void)
{
  static const char *const bad[] = {
    "eth0\" ; flush ruleset", "eth0\"; delete table inet sentinel; \"",
    "sbq0\n", "sbq0 ", "sbq*", "",
  };
  static const char *const key = "\"; delete table inet sentinel; \"";
  g_autoptr(SbQuota) q = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  gboolean exceeded = FALSE;
  int fd;

  if (!enter_with_veth ())
    return;
  out = netns_nft ("add table inet sentinel");
  g_assert_nonnull (out);
  q = quota_new ("inject");

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_false (sb_quota_set (q, KEY, bad[i], 0, &error));
      g_assert_error (error, SB_ERROR, SB_ERROR_INVALID_ARGS);
      g_clear_error (&error);
    }
  g_assert_false (sb_quota_get_consumed (q, KEY, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* A hostile profile key is only a name. */
  quota_set (q, key, "sbq0", 0);
  fd = netns_udp_socket (NULL, 0);
  g_assert_false (netns_udp_send (fd, VETH_PEER, PAYLOAD));
  consumed (q, key, &exceeded);
  g_assert_true (exceeded);
  g_assert_true (sb_quota_clear (q, key, &error));
  g_assert_no_error (error);
  g_assert_true (netns_udp_send (fd, VETH_PEER, PAYLOAD));
  g_assert_true (netns_table_exists ("sentinel"));
  close (fd);
}

/* Someone flushed the ruleset: the next set puts the table back, owner
 * record included. */
static void
test_table_recreated (void)
{
  g_autoptr(SbQuota) q = NULL;
  g_autofree char *out = NULL;
  g_autofree char *listing = NULL;
  int fd;

  if (!enter_with_veth ())
    return;
  q = quota_new ("flushed");
  quota_set (q, KEY, "sbq0", 0);
  out = netns_nft ("flush ruleset");
  g_assert_nonnull (out);
  g_assert_false (netns_table_exists ("simbudget_flushed"));

  fd = netns_udp_socket (NULL, 0);
  g_assert_true (netns_udp_send (fd, VETH_PEER, PAYLOAD));
  quota_set (q, KEY, "sbq0", 0);
  g_assert_false (netns_udp_send (fd, VETH_PEER, PAYLOAD));
  listing = netns_nft ("list table inet simbudget_flushed");
  g_assert_nonnull (strstr (listing, "comment \"simbudgetd pid="));
  close (fd);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/quota/kernel/veth-stop", test_veth_stop);
  g_test_add_func ("/quota/kernel/veth-override", test_veth_override);
  g_test_add_func ("/quota/kernel/veth-clear", test_veth_clear);
  g_test_add_func ("/quota/kernel/tun-both-directions", test_tun_both_directions);
  g_test_add_func ("/quota/kernel/tun-forward", test_tun_forward);
  g_test_add_func ("/quota/kernel/instances", test_instances);
  g_test_add_func ("/quota/kernel/stale", test_stale);
  g_test_add_func ("/quota/kernel/no-cap", test_no_cap);
  g_test_add_func ("/quota/kernel/no-cap-userns", test_no_cap_userns);
  g_test_add_func ("/quota/kernel/injection", test_injection);
  g_test_add_func ("/quota/kernel/table-recreated", test_table_recreated);
  return g_test_run ();
}
