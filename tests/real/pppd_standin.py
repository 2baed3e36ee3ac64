#!/usr/bin/python3
"""A stand-in for pppd on a kernel without PPP (no /dev/ppp), bind-mounted
over /usr/sbin/pppd inside NetworkManager's private mount namespace only
(through a shell wrapper the harness writes).

It takes the command line NetworkManager 1.42 builds (nm-ppp-manager.c):
options, the tty (the modem's data port name), `ipparam <PPP manager
object path>`, `plugin nm-pppd-plugin.so`. The plugin is not loaded; this
program makes the calls it would make on org.freedesktop.NetworkManager.PPP
at that path: SetState for every phase, NeedSecrets when the network asks
for PAP, SetIfindex once the interface exists (synchronously, as the plugin
does), SetIp4Config once IPCP is up, SetState(DEAD) on exit.

The link is real PPP framing over "the tty": a connection to the modem's
UNIX socket (resolved in the directory from /etc/ppp/sb-pppd.json, the
harness's private /etc/ppp). LCP and IPCP are negotiated with the modem,
which assigns the address; IPv4 datagrams are relayed between that link
and a TUN interface named like ppp0 in NetworkManager's network namespace.
The modem only answers in data mode, so a pppd started without a CONNECT
fails negotiation like the real one.

Exit codes are pppd's: 5 on SIGTERM/SIGINT, 7 tty open failed, 10
negotiation failed, 16 modem hung up, 19 authentication failed, 2 bad
options."""

import ctypes
import fcntl
import json
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ppp  # noqa: E402

CONFIG = os.environ.get('SB_PPPD_CONFIG', '/etc/ppp/sb-pppd.json')

EXIT_OPTION_ERROR = 2
EXIT_USER_REQUEST = 5
EXIT_OPEN_FAILED = 7
EXIT_NEGOTIATION_FAILED = 10
EXIT_HANGUP = 16
EXIT_AUTH_FAILED = 19

# NMPPPStatus
DEAD, INITIALIZE, SERIALCONN, DORMANT, ESTABLISH, AUTHENTICATE, CALLBACK, NETWORK, RUNNING, \
    TERMINATE, DISCONNECT = range(1, 12)

NM_BUS = 'org.freedesktop.NetworkManager'
PPP_IFACE = 'org.freedesktop.NetworkManager.PPP'

TUNSETIFF = 0x400454ca
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
PR_SET_PDEATHSIG = 1

# options of pppd that take an argument, among those NetworkManager passes
WITH_ARG = {'user', 'plugin', 'ipparam', 'mru', 'mtu', 'lcp-echo-failure', 'lcp-echo-interval',
            'idle', 'unit', 'rp_pppoe_service', 'ipv6', 'connect', 'name', 'remotename'}
FLAGS = {'nodetach', 'lock', 'nodefaultroute', 'noip', 'noipv6', 'debug', 'noipdefault', 'noauth',
         'usepeerdns', 'refuse-eap', 'refuse-pap', 'refuse-chap', 'refuse-mschap', 'refuse-mschap-v2',
         'nobsdcomp', 'novj', 'nodeflate', 'require-mppe', 'require-mppe-128', 'mppe-stateful', 'crtscts'}


class Exit(Exception):
    def __init__(self, code, why):
        super().__init__(why)
        self.code = code


def parse_argv(argv):
    opts, flags, tty, baud = {}, set(), None, None
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in WITH_ARG:
            if i + 1 >= len(argv):
                raise Exit(EXIT_OPTION_ERROR, 'option %s needs an argument' % a)
            opts.setdefault(a, []).append(argv[i + 1])
            i += 2
            continue
        if a.isdigit():
            baud = int(a)
        elif a in FLAGS:
            flags.add(a)
        elif tty is None:
            tty = a
        else:
            raise Exit(EXIT_OPTION_ERROR, 'unrecognized option %r' % a)
        i += 1
    if 'ipparam' not in opts:
        raise Exit(EXIT_OPTION_ERROR, 'no ipparam (the PPP manager object path)')
    if tty is None:
        raise Exit(EXIT_OPTION_ERROR, 'no tty')
    return opts, flags, tty, baud


class Standin:
    def __init__(self, argv):
        self.config = {}
        if os.path.exists(CONFIG):
            with open(CONFIG) as f:
                self.config = json.load(f)
        self.logf = open(self.config['log'], 'a', buffering=1) if self.config.get('log') else None
        self.log('argv: %s', ' '.join(argv))
        self.opts, self.flags, self.tty, self.baud = parse_argv(argv)
        self.path = self.opts['ipparam'][-1]
        self.bus = None
        self.sock = None
        self.tun = None
        self.ifname = None
        self.deframer = ppp.Deframer()
        self.ident = 0
        self.counts = {'tx_packets': 0, 'tx_bytes': 0, 'rx_packets': 0, 'rx_bytes': 0}

    def log(self, fmt, *a):
        line = 'pppd-standin[%d]: %s' % (os.getpid(), fmt % a)
        if self.logf:
            self.logf.write('%.3f %s\n' % (time.time(), line))
        sys.stderr.write(line + '\n')

    # ---- NetworkManager -------------------------------------------------

    def nm_call(self, method, args, sync=False):
        from gi.repository import Gio, GLib
        if self.bus is None:
            self.bus = Gio.bus_get_sync(Gio.BusType.SYSTEM, None)
        self.log('%s%s', method, args if args is not None else '()')
        params = None
        if method == 'SetState':
            params = GLib.Variant('(u)', args)
        elif method == 'SetIfindex':
            params = GLib.Variant('(i)', args)
        elif method == 'SetIp4Config':
            params = GLib.Variant('(a{sv})', args)
        # the plugin's calls are fire-and-forget except SetIfindex and NeedSecrets
        reply = self.bus.call_sync(NM_BUS, self.path, PPP_IFACE, method, params, None,
                                   Gio.DBusCallFlags.NONE, 25000 if sync else 5000, None)
        return reply.unpack() if reply is not None else None

    def set_state(self, state):
        try:
            self.nm_call('SetState', (state,))
        except Exception as e:     # NetworkManager may have gone already
            self.log('SetState(%d) failed: %s', state, e)

    # ---- the link ---------------------------------------------------------

    def open_tty(self):
        path = self.tty if os.path.isabs(self.tty) else os.path.join(self.config.get('tty_dir', '/dev'), self.tty)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
        try:
            self.sock.connect(path)
        except OSError as e:
            raise Exit(EXIT_OPEN_FAILED, 'cannot open %s: %s' % (path, e))
        self.log('opened the tty %s', path)

    def send(self, protocol, payload):
        self.sock.sendall(ppp.encode(protocol, payload))

    def next_id(self):
        self.ident = (self.ident + 1) % 256
        return self.ident

    def frames(self, timeout):
        """Frames arriving within timeout (at least one read)."""
        r, _, _ = select.select([self.sock], [], [], timeout)
        if not r:
            return []
        data = self.sock.recv(65536)
        if not data:
            raise Exit(EXIT_HANGUP, 'modem hung up (the tty closed)')
        return self.deframer.feed(data)

    def negotiate(self, protocol, our_opts, on_peer_request, done, what):
        """One control protocol exchange (LCP or IPCP): keep sending our
        Configure-Request until acked, answer the peer's requests with
        on_peer_request; returns when done() after our ack."""
        acked = False
        deadline = time.monotonic() + 10
        req_id, sent_at = None, 0.0
        while not (acked and done()):
            now = time.monotonic()
            if now > deadline:
                raise Exit(EXIT_NEGOTIATION_FAILED, '%s negotiation timed out (is the modem in data mode?)' % what)
            if not acked and now - sent_at >= 1.0:
                req_id = self.next_id()
                self.send(protocol, ppp.control(ppp.CONF_REQ, req_id, ppp.options(our_opts())))
                sent_at = now
            for proto, payload in self.frames(0.2):
                self.handle_frame(proto, payload, protocol, req_id, on_peer_request)
                pkt = ppp.parse_control(payload) if proto == protocol else None
                if pkt and pkt[1] == req_id:
                    if pkt[0] == ppp.CONF_ACK:
                        acked = True
                    elif pkt[0] in (ppp.CONF_NAK, ppp.CONF_REJ):
                        self.on_nak(protocol, pkt[0], ppp.parse_options(pkt[2]))
                        sent_at = 0.0

    def handle_frame(self, proto, payload, negotiating, req_id, on_peer_request):
        pkt = ppp.parse_control(payload) if proto in (ppp.PROTO_LCP, ppp.PROTO_IPCP, ppp.PROTO_PAP) else None
        if proto == negotiating and pkt and pkt[0] == ppp.CONF_REQ:
            reply = on_peer_request(pkt[1], ppp.parse_options(pkt[2]))
            self.send(proto, reply)
        elif proto == ppp.PROTO_LCP and pkt and pkt[0] == ppp.ECHO_REQ:
            self.send(proto, ppp.control(ppp.ECHO_REPLY, pkt[1], b'\0\0\0\0' + pkt[2][4:]))
        elif proto == ppp.PROTO_LCP and pkt and pkt[0] == ppp.TERM_REQ:
            self.send(proto, ppp.control(ppp.TERM_ACK, pkt[1]))
            raise Exit(EXIT_HANGUP, 'the peer terminated the link')
        elif proto == ppp.PROTO_IP:
            self.to_tun(payload)

    # LCP: we ask for nothing; we accept PAP if the peer wants it
    def lcp_peer_request(self, ident, opts):
        for t, v in opts:
            if t == ppp.LCP_AUTH:
                if v[:2] != struct.pack('!H', ppp.PROTO_PAP) or 'refuse-pap' in self.flags:
                    return ppp.control(ppp.CONF_REJ, ident, ppp.options([(t, v)]))
                self.peer_wants_pap = True
        self.lcp_peer_acked = True
        return ppp.control(ppp.CONF_ACK, ident, ppp.options(opts))

    def ipcp_our_opts(self):
        opts = [(ppp.IPCP_ADDRESS, self.our_addr)]
        if 'usepeerdns' in self.flags:
            opts += [(ppp.IPCP_DNS1, self.dns[0]), (ppp.IPCP_DNS2, self.dns[1])]
        return [(t, v) for t, v in opts if t not in self.ipcp_rejected]

    def ipcp_peer_request(self, ident, opts):
        for t, v in opts:
            if t == ppp.IPCP_ADDRESS:
                self.peer_addr = v
        self.ipcp_peer_acked = True
        return ppp.control(ppp.CONF_ACK, ident, ppp.options(opts))

    def on_nak(self, protocol, code, opts):
        if protocol != ppp.PROTO_IPCP:
            return
        for t, v in opts:
            if code == ppp.CONF_REJ:
                self.ipcp_rejected.add(t)
            elif t == ppp.IPCP_ADDRESS:
                self.our_addr = v
            elif t == ppp.IPCP_DNS1:
                self.dns[0] = v
            elif t == ppp.IPCP_DNS2:
                self.dns[1] = v

    def authenticate(self):
        user, password = self.nm_call('NeedSecrets', None, sync=True)
        if self.opts.get('user'):
            user = user or self.opts['user'][-1]
        ident = self.next_id()
        deadline = time.monotonic() + 5
        self.send(ppp.PROTO_PAP, ppp.control(ppp.PAP_AUTH_REQ, ident, ppp.pap_request(user, password)))
        while time.monotonic() < deadline:
            for proto, payload in self.frames(0.2):
                pkt = ppp.parse_control(payload)
                if proto == ppp.PROTO_PAP and pkt and pkt[1] == ident:
                    if pkt[0] == ppp.PAP_AUTH_ACK:
                        self.log('PAP: authenticated as %r', user)
                        return
                    raise Exit(EXIT_AUTH_FAILED, 'PAP: the peer refused %r' % user)
        raise Exit(EXIT_AUTH_FAILED, 'PAP: no answer')

    def make_tun(self):
        for unit in range(16):
            name = 'ppp%d' % unit
            if not os.path.exists('/sys/class/net/' + name):
                break
        fd = os.open('/dev/net/tun', os.O_RDWR | os.O_CLOEXEC)
        fcntl.ioctl(fd, TUNSETIFF, struct.pack('16sH', name.encode(), IFF_TUN | IFF_NO_PI))
        self.tun, self.ifname = fd, name
        local, peer = socket.inet_ntoa(self.our_addr), socket.inet_ntoa(self.peer_addr)
        # what pppd does itself (sifaddr/sifup) before it announces ip-up
        subprocess.run(['ip', 'addr', 'add', local, 'peer', peer + '/32', 'dev', name], check=True)
        subprocess.run(['ip', 'link', 'set', name, 'up'], check=True)
        self.log('interface %s: %s peer %s', name, local, peer)

    def to_tun(self, datagram):
        if self.tun is None:
            return
        self.counts['rx_packets'] += 1
        self.counts['rx_bytes'] += len(datagram)
        try:
            os.write(self.tun, datagram)
        except OSError:
            pass

    def run(self):
        self.set_state(SERIALCONN)
        self.open_tty()
        self.set_state(ESTABLISH)
        self.peer_wants_pap = False
        self.lcp_peer_acked = False
        self.negotiate(ppp.PROTO_LCP, lambda: [], self.lcp_peer_request, lambda: self.lcp_peer_acked, 'LCP')
        if self.peer_wants_pap:
            self.set_state(AUTHENTICATE)
            self.authenticate()
        self.set_state(NETWORK)
        self.our_addr = b'\0\0\0\0'
        self.peer_addr = None
        self.dns = [b'\0\0\0\0', b'\0\0\0\0']
        self.ipcp_rejected = set()
        self.ipcp_peer_acked = False
        self.negotiate(ppp.PROTO_IPCP, self.ipcp_our_opts, self.ipcp_peer_request,
                       lambda: self.ipcp_peer_acked and self.peer_addr is not None, 'IPCP')
        self.make_tun()
        self.set_state(RUNNING)
        ifindex = int(open('/sys/class/net/%s/ifindex' % self.ifname).read())
        self.nm_call('SetIfindex', (ifindex,), sync=True)
        u32 = lambda b: struct.unpack('=I', b)[0]    # noqa: E731 (in_addr_t as the plugin sends it)
        from gi.repository import GLib
        config = {'interface': GLib.Variant('s', self.ifname),
                  'address': GLib.Variant('u', u32(self.our_addr)),
                  'gateway': GLib.Variant('u', u32(self.peer_addr)),
                  'prefix': GLib.Variant('u', 32)}
        dns = [u32(d) for d in self.dns if d != b'\0\0\0\0']
        if dns:
            config['dns'] = GLib.Variant('au', dns)
        self.nm_call('SetIp4Config', (config,))
        self.relay()

    def relay(self):
        while True:
            r, _, _ = select.select([self.sock, self.tun], [], [])
            if self.tun in r:
                try:
                    datagram = os.read(self.tun, 65536)
                except OSError:
                    datagram = b''
                if datagram and datagram[0] >> 4 == 4:
                    self.counts['tx_packets'] += 1
                    self.counts['tx_bytes'] += len(datagram)
                    self.send(ppp.PROTO_IP, datagram)
            if self.sock in r:
                for proto, payload in self.frames(0):
                    self.handle_frame(proto, payload, None, None, None)

    def terminate(self):
        """Like pppd on SIGTERM: ask the peer to close the link, briefly."""
        if self.sock is None:
            return
        try:
            self.send(ppp.PROTO_LCP, ppp.control(ppp.TERM_REQ, self.next_id(), b'User request'))
            deadline = time.monotonic() + 1.0
            while time.monotonic() < deadline:
                for proto, payload in self.frames(0.1):
                    pkt = ppp.parse_control(payload)
                    if proto == ppp.PROTO_LCP and pkt and pkt[0] == ppp.TERM_ACK:
                        return
        except (OSError, Exit):
            pass

    def close(self):
        if self.tun is not None:
            os.close(self.tun)
            self.tun = None
        if self.sock is not None:
            self.sock.close()
            self.sock = None


class Signalled(Exception):
    pass


def main():
    def on_signal(signum, frame):
        raise Signalled()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    # a harness safety net the real pppd lacks: go when NetworkManager goes
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() == 1:
        return EXIT_USER_REQUEST
    standin = None
    code = 0
    try:
        standin = Standin(sys.argv[1:])
        standin.run()
    except Signalled:
        code = EXIT_USER_REQUEST
        if standin:
            standin.log('terminating on signal')
            standin.set_state(TERMINATE)
            standin.terminate()
    except Exit as e:
        code = e.code
        if standin:
            standin.log('exit %d: %s', e.code, e)
            if e.code == EXIT_HANGUP:
                standin.set_state(DISCONNECT)
        else:
            sys.stderr.write('pppd-standin: %s\n' % e)
    finally:
        if standin:
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            standin.close()
            standin.log('carried tx %(tx_packets)d packets %(tx_bytes)d B, rx %(rx_packets)d packets %(rx_bytes)d B'
                        % standin.counts)
            standin.set_state(DEAD)
    return code


if __name__ == '__main__':
    sys.exit(main())
