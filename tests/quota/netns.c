#define _GNU_SOURCE /* unshare() */
#define G_LOG_DOMAIN "test-netns"

#include "netns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <netinet/in.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nftables/libnftables.h>

static char *ip_path;

gboolean
netns_enter (void)
{
  if (geteuid () != 0)
    {
      g_test_skip ("needs root: a private network namespace and CAP_NET_ADMIN");
      return FALSE;
    }
  if (ip_path == NULL)
    ip_path = g_find_program_in_path ("ip");
  if (ip_path == NULL && g_file_test ("/usr/sbin/ip", G_FILE_TEST_IS_EXECUTABLE))
    ip_path = g_strdup ("/usr/sbin/ip");
  if (ip_path == NULL)
    {
      g_test_skip ("needs the `ip` command (iproute2)");
      return FALSE;
    }
  /* Each call leaves the previous namespace behind; it and its interfaces
   * go away with the last socket or TUN fd in it. */
  if (unshare (CLONE_NEWNET) != 0)
    {
      g_autofree char *why = g_strdup_printf ("cannot make a network namespace: %s",
                                              g_strerror (errno));
      g_test_skip (why);
      return FALSE;
    }
  netns_sysctl ("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
  netns_sysctl ("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
  netns_ip ("link", "set", "lo", "up", NULL);
  return TRUE;
}

void
netns_ip (const char *first, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  int status = 0;
  va_list ap;

  g_ptr_array_add (argv, ip_path);
  va_start (ap, first);
  for (const char *a = first; a; a = va_arg (ap, const char *))
    g_ptr_array_add (argv, (char *) a);
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_STDOUT_TO_DEV_NULL,
                NULL, NULL, NULL, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("ip %s …: %s", first, err);
}

void
netns_sysctl (const char *path, const char *value)
{
  g_autoptr(GError) error = NULL;

  /* IPv6 may be compiled out: nothing to switch off then. */
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return;
  g_file_set_contents_full (path, value, -1, G_FILE_SET_CONTENTS_NONE, 0644,
                            &error);
  g_assert_no_error (error);
}

void
netns_veth (const char *a, const char *a_addr, const char *b,
            const char *b_mac, const char *peer_addr)
{
  g_autofree char *cidr = g_strdup_printf ("%s/24", a_addr);

  netns_ip ("link", "add", a, "type", "veth", "peer", "name", b, NULL);
  netns_ip ("link", "set", b, "address", b_mac, NULL);
  netns_ip ("addr", "add", cidr, "dev", a, NULL);
  netns_ip ("link", "set", a, "up", NULL);
  netns_ip ("link", "set", b, "up", NULL);
  netns_ip ("neigh", "replace", peer_addr, "lladdr", b_mac, "dev", a,
            "nud", "permanent", NULL);
}

int
netns_tun (const char *name, const char *addr)
{
  g_autofree char *cidr = g_strdup_printf ("%s/24", addr);
  struct ifreq ifr = { 0 };
  int fd;

  fd = open ("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  /* No packet-info header: the fd carries bare IP packets, as a modem's
   * raw-IP interface does. */
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
  g_strlcpy (ifr.ifr_name, name, sizeof ifr.ifr_name);
  g_assert_cmpint (ioctl (fd, TUNSETIFF, &ifr), ==, 0);
  netns_ip ("addr", "add", cidr, "dev", name, NULL);
  netns_ip ("link", "set", name, "up", NULL);
  return fd;
}

void
netns_stats (const char *ifname, NetnsStats *out)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents ("/proc/net/dev", &text, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      char *colon = strchr (lines[i], ':');
      guint64 v[16];
      char *p;

      if (colon == NULL)
        continue;
      *colon = '\0';
      if (strcmp (g_strstrip (lines[i]), ifname) != 0)
        continue;
      p = colon + 1;
      for (guint k = 0; k < G_N_ELEMENTS (v); k++)
        v[k] = g_ascii_strtoull (p, &p, 10);
      out->rx_bytes = v[0];
      out->rx_packets = v[1];
      out->tx_bytes = v[8];
      out->tx_packets = v[9];
      out->tx_drop = v[11];
      return;
    }
  g_error ("no interface %s in /proc/net/dev", ifname);
}

static void
to_sockaddr (const char *addr, guint16 port, struct sockaddr_in *sin)
{
  memset (sin, 0, sizeof *sin);
  sin->sin_family = AF_INET;
  sin->sin_port = htons (port);
  g_assert_cmpint (inet_pton (AF_INET, addr, &sin->sin_addr), ==, 1);
}

int
netns_udp_socket (const char *addr, guint16 port)
{
  int fd = socket (AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

  g_assert_cmpint (fd, >=, 0);
  if (addr)
    {
      struct sockaddr_in sin;

      to_sockaddr (addr, port, &sin);
      g_assert_cmpint (bind (fd, (struct sockaddr *) &sin, sizeof sin), ==, 0);
    }
  return fd;
}

gboolean
netns_udp_send (int fd, const char *addr, gsize payload)
{
  static const guint8 zeros[65536];
  struct sockaddr_in sin;
  ssize_t n;

  g_assert_cmpuint (payload, <=, sizeof zeros);
  to_sockaddr (addr, 9, &sin);
  n = sendto (fd, zeros, payload, 0, (struct sockaddr *) &sin, sizeof sin);
  if (n < 0)
    {
      g_assert_cmpint (errno, ==, EPERM);
      return FALSE;
    }
  g_assert_cmpint (n, ==, (ssize_t) payload);
  return TRUE;
}

static guint16
ip_checksum (const guint8 *p, gsize len)
{
  guint32 sum = 0;

  for (gsize i = 0; i + 1 < len; i += 2)
    sum += (guint32) (p[i] << 8 | p[i + 1]);
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return (guint16) ~sum;
}

void
netns_tun_inject (int tun_fd, const char *src, const char *dst,
                  guint16 dport, gsize payload)
{
  gsize len = NETNS_UDP4_OVERHEAD + payload;
  g_autofree guint8 *pkt = g_malloc0 (len);
  struct in_addr a;
  guint16 sum;

  g_assert_cmpuint (len, <=, 65535);
  pkt[0] = 0x45;                       /* IPv4, 20-byte header */
  pkt[2] = (guint8) (len >> 8);
  pkt[3] = (guint8) len;
  pkt[6] = 0x40;                       /* don't fragment */
  pkt[8] = 64;                         /* TTL */
  pkt[9] = IPPROTO_UDP;
  g_assert_cmpint (inet_pton (AF_INET, src, &a), ==, 1);
  memcpy (pkt + 12, &a, 4);
  g_assert_cmpint (inet_pton (AF_INET, dst, &a), ==, 1);
  memcpy (pkt + 16, &a, 4);
  sum = ip_checksum (pkt, 20);
  pkt[10] = (guint8) (sum >> 8);
  pkt[11] = (guint8) sum;
  pkt[20] = 0x30;                      /* source port 12345 */
  pkt[21] = 0x39;
  pkt[22] = (guint8) (dport >> 8);
  pkt[23] = (guint8) dport;
  pkt[24] = (guint8) ((len - 20) >> 8);
  pkt[25] = (guint8) (len - 20);
  /* UDP checksum 0: none, allowed over IPv4. */
  g_assert_cmpint (write (tun_fd, pkt, len), ==, (ssize_t) len);
}

guint
netns_drain (int fd, guint64 *bytes)
{
  static guint8 buf[65536];
  guint count = 0;
  ssize_t n;

  while ((n = read (fd, buf, sizeof buf)) >= 0)
    {
      count++;
      *bytes += (guint64) n;
    }
  g_assert_cmpint (errno, ==, EAGAIN);
  return count;
}

char *
netns_nft (const char *command)
{
  struct nft_ctx *ctx = nft_ctx_new (NFT_CTX_DEFAULT);
  char *out = NULL;

  nft_ctx_buffer_output (ctx);
  nft_ctx_buffer_error (ctx);
  if (nft_run_cmd_from_buffer (ctx, command) == 0)
    out = g_strdup (nft_ctx_get_output_buffer (ctx));
  nft_ctx_free (ctx);
  return out;
}

gboolean
netns_table_exists (const char *name)
{
  g_autofree char *tables = netns_nft ("list tables");
  g_autofree char *line = g_strdup_printf ("table inet %s\n", name);

  g_assert_nonnull (tables);
  return strstr (tables, line) != NULL;
}
