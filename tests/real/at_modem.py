#!/usr/bin/python3
"""A simulated 3GPP modem behind a UNIX stream socket, the kind of port
ModemManager's Test.SetProfile attaches (--test-enable).

The model:

- Every connection to the socket is an opening of the same "tty".
  ModemManager's connection speaks AT commands; a connection whose first
  byte is a PPP flag (0x7e) is pppd's opening of the tty (here: the pppd
  stand-in) and speaks HDLC-framed PPP.
- ATD*99***<cid># / ATD*99# answers CONNECT and puts the modem in data
  mode: the call belongs to the AT connection that dialled. Only in data
  mode does the modem answer LCP/IPCP (it assigns the address) and carry
  IPv4 datagrams between the PPP side and the "network", a TUN interface in
  the namespace this process runs in (the internet side).
- "+++" on the dialling connection goes to online command mode (the call
  stays up, nothing is carried), ATO goes back; ATH, ATZ, AT+CGACT=0 or the
  dialling connection closing (DTR drop) hang up: the PPP connection is
  closed, as a tty would see carrier loss, and pppd exits.

Every AT command line is logged, with the answer, to --log: the quickest
way to see what ModemManager expects."""

import argparse
import fcntl
import os
import selectors
import signal
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ppp  # noqa: E402

TUNSETIFF = 0x400454ca
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000


def open_tun(name):
    fd = os.open('/dev/net/tun', os.O_RDWR | os.O_CLOEXEC)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack('16sH', name.encode(), IFF_TUN | IFF_NO_PI))
    os.set_blocking(fd, False)
    return fd


def ef_iccid(iccid):
    """EF_ICCID content as +CRSM returns it: BCD, nibbles swapped, F-padded."""
    digits = iccid.upper().ljust(20, 'F')
    return ''.join(digits[i + 1] + digits[i] for i in range(0, 20, 2))


class Conn:
    """One opening of the tty, with a write queue so a slow reader never
    blocks the modem."""

    _next = 1

    def __init__(self, sock):
        self.sock = sock
        self.kind = None
        self.inbuf = b''
        self.outbuf = b''
        self.deframer = ppp.Deframer()
        self.id = 'c%d' % Conn._next
        Conn._next += 1


class PppPeer:
    """The network side of the PPP link: acks whatever LCP the client asks,
    assigns the client's address and DNS through IPCP naks."""

    def __init__(self, local, remote, dns, pap=None):
        self.local = socket.inet_aton(local)
        self.remote = socket.inet_aton(remote)
        self.dns = [socket.inet_aton(d) for d in dns]
        self.pap = pap              # (user, password) the network insists on, or None
        self.ident = 0
        self.reset()

    def reset(self):
        self.lcp_ours_acked = self.lcp_theirs_acked = False
        self.ipcp_ours_acked = self.ipcp_theirs_acked = False
        self.lcp_sent = self.ipcp_sent = None
        self.authenticated = self.pap is None
        self.pap_user = None

    @property
    def lcp_open(self):
        return self.lcp_ours_acked and self.lcp_theirs_acked and self.authenticated

    @property
    def ipcp_open(self):
        return self.lcp_open and self.ipcp_ours_acked and self.ipcp_theirs_acked

    def _id(self):
        self.ident = (self.ident + 1) % 256
        return self.ident

    def handle(self, protocol, payload):
        """Returns (frames to send back, IPv4 datagram for the network or None)."""
        if protocol == ppp.PROTO_LCP:
            return self._lcp(payload), None
        if protocol == ppp.PROTO_IPCP:
            return self._ipcp(payload), None
        if protocol == ppp.PROTO_PAP:
            return self._pap(payload), None
        if protocol == ppp.PROTO_IP:
            return [], payload if self.ipcp_open else None
        # IPv6CP and anything else: refuse the protocol (RFC 1661 5.7)
        if self.lcp_open:
            rej = ppp.control(ppp.PROTO_REJ, self._id(), struct.pack('!H', protocol) + payload)
            return [ppp.encode(ppp.PROTO_LCP, rej)], None
        return [], None

    def _lcp(self, payload):
        pkt = ppp.parse_control(payload)
        if pkt is None:
            return []
        code, ident, data = pkt
        out = []
        if code == ppp.CONF_REQ:
            # RFC 1661: a request in the Opened state renegotiates; otherwise
            # our one request stands (a stream loses nothing, no resends)
            renegotiate = self.lcp_ours_acked and self.lcp_theirs_acked
            if renegotiate:
                self.reset()
            out.append(ppp.encode(ppp.PROTO_LCP, ppp.control(ppp.CONF_ACK, ident, data)))
            self.lcp_theirs_acked = True
            if self.lcp_sent is None:
                self.lcp_sent = self._id()
                opts = ppp.options([(ppp.LCP_AUTH, struct.pack('!H', ppp.PROTO_PAP))]) if self.pap else b''
                out.append(ppp.encode(ppp.PROTO_LCP, ppp.control(ppp.CONF_REQ, self.lcp_sent, opts)))
        elif code == ppp.CONF_ACK and ident == self.lcp_sent:
            self.lcp_ours_acked = True
        elif code == ppp.TERM_REQ:
            out.append(ppp.encode(ppp.PROTO_LCP, ppp.control(ppp.TERM_ACK, ident)))
            self.reset()
        elif code == ppp.ECHO_REQ:
            out.append(ppp.encode(ppp.PROTO_LCP, ppp.control(ppp.ECHO_REPLY, ident, b'\0\0\0\0' + data[4:])))
        return out

    def _pap(self, payload):
        pkt = ppp.parse_control(payload)
        if pkt is None or self.pap is None or pkt[0] != ppp.PAP_AUTH_REQ:
            return []
        _, ident, data = pkt
        creds = ppp.parse_pap_request(data)
        self.authenticated = creds == self.pap
        self.pap_user = creds[0] if creds else None
        code = ppp.PAP_AUTH_ACK if self.authenticated else ppp.PAP_AUTH_NAK
        return [ppp.encode(ppp.PROTO_PAP, ppp.control(code, ident, b'\0'))]

    def _ipcp(self, payload):
        pkt = ppp.parse_control(payload)
        if pkt is None or not self.lcp_open:
            return []
        code, ident, data = pkt
        out = []
        if code == ppp.CONF_REQ:
            want = {ppp.IPCP_ADDRESS: self.remote}
            for i, opt in enumerate((ppp.IPCP_DNS1, ppp.IPCP_DNS2)):
                if i < len(self.dns):
                    want[opt] = self.dns[i]
            nak, rej = [], []
            for t, v in ppp.parse_options(data):
                if t not in want:
                    rej.append((t, v))
                elif v != want[t]:
                    nak.append((t, want[t]))
            if self.ipcp_ours_acked and self.ipcp_theirs_acked:
                self.ipcp_ours_acked = False     # renegotiation, as for LCP
                self.ipcp_sent = None
            if rej:
                reply = ppp.control(ppp.CONF_REJ, ident, ppp.options(rej))
            elif nak:
                reply = ppp.control(ppp.CONF_NAK, ident, ppp.options(nak))
            else:
                reply = ppp.control(ppp.CONF_ACK, ident, data)
            self.ipcp_theirs_acked = not rej and not nak
            out.append(ppp.encode(ppp.PROTO_IPCP, reply))
            if self.ipcp_sent is None:
                self.ipcp_sent = self._id()
                req = ppp.control(ppp.CONF_REQ, self.ipcp_sent, ppp.options([(ppp.IPCP_ADDRESS, self.local)]))
                out.append(ppp.encode(ppp.PROTO_IPCP, req))
        elif code == ppp.CONF_ACK and ident == self.ipcp_sent:
            self.ipcp_ours_acked = True
        elif code == ppp.TERM_REQ:
            out.append(ppp.encode(ppp.PROTO_IPCP, ppp.control(ppp.TERM_ACK, ident)))
            self.ipcp_ours_acked = self.ipcp_theirs_acked = False
            self.ipcp_sent = None
        return out


class AtError(Exception):
    pass


class Stop(Exception):
    pass


class Modem:
    def __init__(self, args):
        self.args = args
        self.sel = selectors.DefaultSelector()
        self.log_file = open(args.log, 'a', buffering=1) if args.log else None
        self.t0 = time.monotonic()
        self.echo = False
        self.cmee = 0
        self.cfun = 1
        self.reg_mode = {'+CREG': 0, '+CGREG': 0, '+CEREG': 0}
        self.cops_format = 0
        self.contexts = {}
        self.active = set()
        self.call = None            # {'owner': Conn, 'cid': int, 'data': bool}
        self.ppp_conns = []
        pap = tuple(args.pap.split(':', 1)) if args.pap else None
        self.peer = PppPeer(args.gateway, args.address, args.dns, pap)
        self.tun = None
        self.stats = {'up_packets': 0, 'up_bytes': 0, 'down_packets': 0, 'down_bytes': 0, 'dropped': 0}

    # ---- logging --------------------------------------------------------

    def log(self, fmt, *a):
        if self.log_file:
            self.log_file.write('%8.3f %s\n' % (time.monotonic() - self.t0, fmt % a))

    # ---- setup ----------------------------------------------------------

    def setup(self):
        path = self.args.socket
        if os.path.exists(path):
            os.unlink(path)
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
        self.listener.bind(path)
        self.listener.listen(8)
        self.listener.setblocking(False)
        self.sel.register(self.listener, selectors.EVENT_READ, self._accept)
        if self.args.tun:
            self.tun = open_tun(self.args.tun)
            dev = self.args.tun
            subprocess.run(['ip', 'addr', 'add', self.args.gateway, 'peer', self.args.address, 'dev', dev], check=True)
            subprocess.run(['ip', 'link', 'set', dev, 'up'], check=True)
            self.sel.register(self.tun, selectors.EVENT_READ, self._from_network)
        self.log('ready: iccid %s imei %s operator %s (%s) on %s', self.args.iccid, self.args.imei,
                 self.args.operator_name, self.args.operator_code, path)

    def run(self):
        try:
            while True:
                for key, mask in self.sel.select():
                    key.data(key.fileobj, mask)
        except Stop:
            pass
        finally:
            self.shutdown()

    def shutdown(self):
        self.log('stats %s', self.stats)
        try:
            os.unlink(self.args.socket)
        except OSError:
            pass
        if self.tun is not None:
            os.close(self.tun)

    # ---- connections ----------------------------------------------------

    def _accept(self, listener, mask):
        sock, _ = listener.accept()
        sock.setblocking(False)
        conn = Conn(sock)
        self.sel.register(sock, selectors.EVENT_READ, lambda s, m, c=conn: self._io(c, m))
        self.log('%s opened', conn.id)

    def _io(self, conn, mask):
        # a hang-up may have closed this connection earlier in the round
        if conn.sock is None:
            return
        if mask & selectors.EVENT_WRITE:
            self._flush(conn)
            if conn.sock is None:
                return
        if mask & selectors.EVENT_READ:
            try:
                data = conn.sock.recv(65536)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                data = b''
            if not data:
                self._close(conn, 'closed by the other side')
                return
            if conn.kind is None:
                conn.kind = 'ppp' if data[0] == ppp.FLAG else 'at'
                if conn.kind == 'ppp':
                    self.ppp_conns.append(conn)
                self.log('%s speaks %s', conn.id, conn.kind.upper())
            if conn.kind == 'ppp':
                self._ppp_in(conn, data)
            else:
                self._at_in(conn, data)

    def _send(self, conn, data):
        if conn.sock is None:
            return
        conn.outbuf += data
        self._flush(conn)

    def _flush(self, conn):
        if conn.sock is None:
            return
        try:
            n = conn.sock.send(conn.outbuf) if conn.outbuf else 0
            conn.outbuf = conn.outbuf[n:]
        except (BlockingIOError, InterruptedError):
            pass
        except OSError:
            self._close(conn, 'write failed')
            return
        events = selectors.EVENT_READ | (selectors.EVENT_WRITE if conn.outbuf else 0)
        self.sel.modify(conn.sock, events, self.sel.get_key(conn.sock).data)

    def _close(self, conn, why):
        if conn.sock is None:
            return
        self.log('%s %s', conn.id, why)
        self.sel.unregister(conn.sock)
        conn.sock.close()
        conn.sock = None
        if conn in self.ppp_conns:
            self.ppp_conns.remove(conn)
            self.peer.reset()
        if self.call and self.call['owner'] is conn:
            self.hang_up('DTR drop: the dialling connection closed')

    # ---- data mode ------------------------------------------------------

    def in_data_mode(self):
        return self.call is not None and self.call['data']

    def _ppp_in(self, conn, data):
        for protocol, payload in conn.deframer.feed(data):
            if not self.in_data_mode():
                # in command mode a PPP frame is just garbage on the line
                self._drop('PPP frame outside data mode')
                continue
            replies, datagram = self.peer.handle(protocol, payload)
            if protocol != ppp.PROTO_IP:
                self.log('%s ppp 0x%04x code %d -> %d replies%s', conn.id, protocol, payload[0] if payload else 0,
                         len(replies), ' (IPCP open)' if self.peer.ipcp_open else '')
            for frame in replies:
                self._send(conn, frame)
            if protocol == ppp.PROTO_IP and datagram is None:
                self._drop('IPv4 from the device before IPCP is open')
            if datagram is not None:
                self.stats['up_packets'] += 1
                self.stats['up_bytes'] += len(datagram)
                if self.tun is not None:
                    try:
                        os.write(self.tun, datagram)
                    except OSError:
                        self.stats['dropped'] += 1

    def _from_network(self, fd, mask):
        try:
            datagram = os.read(self.tun, 65536)
        except (BlockingIOError, InterruptedError):
            return
        if not datagram or datagram[0] >> 4 != 4:
            self._drop('not IPv4: the link carries IPv4 only')
            return
        if not self.in_data_mode() or not self.peer.ipcp_open or not self.ppp_conns:
            self._drop('IPv4 from the network with no open link')
            return
        self.stats['down_packets'] += 1
        self.stats['down_bytes'] += len(datagram)
        self._send(self.ppp_conns[-1], ppp.encode(ppp.PROTO_IP, datagram))

    def _drop(self, why):
        self.stats['dropped'] += 1
        n = self.stats['dropped']
        if n <= 3 or n % 100 == 0:
            self.log('dropped (%d so far): %s', n, why)

    def hang_up(self, why):
        if self.call is None:
            return
        self.log('hang up (%s); carried up %d B, down %d B', why, self.stats['up_bytes'], self.stats['down_bytes'])
        self.active.discard(self.call['cid'])
        self.call = None
        for conn in list(self.ppp_conns):
            self._close(conn, 'carrier lost')
        self.peer.reset()

    # ---- AT command mode ------------------------------------------------

    def _at_in(self, conn, data):
        conn.inbuf += data
        if self.call and self.call['owner'] is conn and self.call['data']:
            # in data mode only the escape sequence means anything
            if b'+++' in conn.inbuf:
                conn.inbuf = conn.inbuf.split(b'+++', 1)[1]
                self.call['data'] = False
                self.log('%s AT> +++ (online command mode)', conn.id)
                self._reply(conn, ['OK'])
            else:
                conn.inbuf = b''
                return
        while True:
            idx = min([i for i in (conn.inbuf.find(b'\r'), conn.inbuf.find(b'\n')) if i >= 0], default=-1)
            if idx < 0:
                if b'+++' in conn.inbuf:
                    conn.inbuf = conn.inbuf.replace(b'+++', b'')
                    self.log('%s AT> +++ (not in a call)', conn.id)
                    self._reply(conn, ['OK'])
                return
            line = conn.inbuf[:idx].decode('latin-1').strip()
            conn.inbuf = conn.inbuf[idx + 1:]
            if line:
                self._command_line(conn, line)

    def _reply(self, conn, lines):
        self._send(conn, b''.join(b'\r\n' + ln.encode('latin-1') + b'\r\n' for ln in lines))

    def _command_line(self, conn, line):
        if self.echo:
            self._send(conn, line.encode('latin-1') + b'\r')
        if line[:2].upper() != 'AT':
            self.log('%s AT> %s  => (ignored, no AT prefix)', conn.id, line)
            return
        out = []
        final = 'OK'
        try:
            for kind, cmd in self._split(line[2:]):
                res = self._basic(conn, cmd) if kind == 'basic' else self._extended(cmd)
                if isinstance(res, str):    # a final result other than OK (CONNECT, NO CARRIER)
                    final = res
                    break
                out += res
        except AtError as e:
            final = str(e) or 'ERROR'
        self.log('%s AT> %s  => %s', conn.id, line, ' | '.join(out + [final]))
        self._reply(conn, out + [final])

    @staticmethod
    def _split(rest):
        """AT command line after 'AT' → [(kind, command)]."""
        cmds = []
        i = 0
        while i < len(rest):
            c = rest[i]
            if c in ' ;':
                i += 1
            elif c in '+^%$*':
                j = rest.find(';', i)
                j = len(rest) if j < 0 else j
                cmds.append(('ext', rest[i:j].strip()))
                i = j
            elif c.upper() == 'D':
                cmds.append(('basic', rest[i:].strip()))
                break
            else:
                j = i + 1
                if c == '&' and j < len(rest):
                    j += 1
                if c.upper() == 'S':
                    while j < len(rest) and (rest[j].isdigit() or rest[j] in '=?'):
                        j += 1
                while j < len(rest) and rest[j].isdigit():
                    j += 1
                cmds.append(('basic', rest[i:j]))
                i = j
        return cmds

    def registered(self):
        return self.cfun == 1

    def _basic(self, conn, cmd):
        letter = cmd[0].upper()
        arg = cmd[1:]
        if letter == 'D':
            number = arg.upper().lstrip('T').lstrip('P')
            if not self.registered() or not number.startswith('*99'):
                return 'NO CARRIER'
            cid = 1
            parts = number.rstrip('#').split('*')
            if len(parts) >= 5 and parts[4].isdigit():
                cid = int(parts[4])
            self.call = {'owner': conn, 'cid': cid, 'data': True}
            self.active.add(cid)
            self.peer.reset()
            return 'CONNECT 100000000'
        if letter == 'H':
            self.hang_up('ATH')
            return []
        if letter == 'O':
            if self.call and self.call['owner'] is conn:
                self.call['data'] = True
                return 'CONNECT 100000000'
            return 'NO CARRIER'
        if letter == 'Z':
            self.hang_up('ATZ')
            self.echo = False
            return []
        if letter == 'E':
            self.echo = arg != '0'
            return []
        if letter == 'I':
            return [self.args.manufacturer, self.args.model, 'Revision: ' + self.args.revision]
        if letter == 'S' and arg.endswith('?'):
            return ['000']
        return []

    def _extended(self, cmd):
        name = cmd
        op, args = 'exec', ''
        for sep, kind in (('=?', 'test'), ('?', 'read'), ('=', 'set')):
            k = cmd.find(sep)
            if k >= 0:
                name, op, args = cmd[:k], kind, cmd[k + len(sep):]
                break
        name = name.upper()
        handler = getattr(self, 'at_' + name.strip('+^%$*').replace('+', '_'), None)
        if handler is None or name[0] not in '+^':
            if op in ('test', 'read'):
                raise AtError('ERROR')
            return []
        res = handler(op, [a.strip().strip('"') for a in args.split(',')] if args else [])
        if res is None:
            raise AtError('ERROR')
        return res

    # Each at_NAME(op, args) returns info lines, or None for ERROR.

    def at_GCAP(self, op, args):
        return ['+GCAP: +CGSM,+DS,+ES'] if op == 'exec' else None

    def at_CGMI(self, op, args):
        return [self.args.manufacturer] if op == 'exec' else []
    at_GMI = at_CGMI

    def at_CGMM(self, op, args):
        return [self.args.model] if op == 'exec' else []
    at_GMM = at_CGMM

    def at_CGMR(self, op, args):
        return [self.args.revision] if op == 'exec' else []
    at_GMR = at_CGMR

    def at_CGSN(self, op, args):
        return [self.args.imei] if op == 'exec' else []
    at_GSN = at_CGSN

    def at_CIMI(self, op, args):
        return [self.args.imsi] if op == 'exec' else []

    def at_CCID(self, op, args):
        return ['+CCID: ' + self.args.iccid] if op in ('exec', 'read') else []
    at_ICCID = at_CCID

    def at_CPIN(self, op, args):
        if op == 'read':
            return ['+CPIN: READY']
        return [] if op == 'test' else None

    def at_CRSM(self, op, args):
        if op != 'set' or len(args) < 2 or args[0] != '176':
            return ['+CRSM: 106,130'] if op == 'set' else []
        efid = args[1]
        if efid == '12258':     # EF_ICCID
            return ['+CRSM: 144,0,"%s"' % ef_iccid(self.args.iccid)]
        if efid == '28589':     # EF_AD: byte 4 is the MNC length
            return ['+CRSM: 144,0,"000000%02X"' % (len(self.args.operator_code) - 3)]
        if efid == '28486':     # EF_SPN
            name = self.args.operator_name.encode('ascii', 'replace')[:16].ljust(16, b'\xff')
            return ['+CRSM: 144,0,"01%s"' % name.hex().upper()]
        return ['+CRSM: 106,130']   # file not found

    def at_CSCS(self, op, args):
        # UCS2 deliberately absent: ModemManager would switch to it and hex-encode strings
        if op == 'test':
            return ['+CSCS: ("IRA","GSM")']
        if op == 'read':
            return ['+CSCS: "IRA"']
        return []

    def at_CMEE(self, op, args):
        if op == 'set' and args:
            self.cmee = int(args[0]) if args[0].isdigit() else 0
        if op == 'read':
            return ['+CMEE: %d' % self.cmee]
        return ['+CMEE: (0-2)'] if op == 'test' else []

    def at_CFUN(self, op, args):
        if op == 'read':
            return ['+CFUN: %d' % self.cfun]
        if op == 'test':
            return ['+CFUN: (0,1,4),(0-1)']
        if op == 'set' and args and args[0].isdigit():
            self.cfun = int(args[0])
            if self.cfun != 1:
                self.hang_up('radio off')
        return []

    def _reg(self, name, op, args, with_cell):
        if op == 'test':
            return ['%s: (0-2)' % name]
        if op == 'set':
            self.reg_mode[name] = int(args[0]) if args and args[0].isdigit() else 0
            return []
        if op != 'read':
            return []
        n = self.reg_mode[name]
        stat = 5 if self.args.roaming else 1
        if not self.registered():
            stat = 0
        if n == 2 and stat in (1, 5):
            return ['%s: 2,%d,"%s","%s",7' % (name, stat, with_cell, '01A2B3C4')]
        return ['%s: %d,%d' % (name, n, stat)]

    def at_CREG(self, op, args):
        return self._reg('+CREG', op, args, '00A1')

    def at_CGREG(self, op, args):
        return self._reg('+CGREG', op, args, '00A1')

    def at_CEREG(self, op, args):
        return self._reg('+CEREG', op, args, '00A1')

    def at_COPS(self, op, args):
        code, name = self.args.operator_code, self.args.operator_name
        if op == 'test':
            return ['+COPS: (2,"%s","%s","%s",7),,(0-4),(0-2)' % (name, name, code)]
        if op == 'set':
            if len(args) >= 2 and args[0] == '3':
                self.cops_format = int(args[1]) if args[1].isdigit() else 0
            return []
        if op == 'read':
            if not self.registered():
                return ['+COPS: 0']
            value = code if self.cops_format == 2 else name
            return ['+COPS: 0,%d,"%s",7' % (self.cops_format, value)]
        return []

    def at_CSQ(self, op, args):
        if op == 'test':
            return ['+CSQ: (0-31,99),(0-7,99)']
        return ['+CSQ: 20,99'] if op == 'exec' else None

    def at_WS46(self, op, args):
        # GERAN, UTRAN and E-UTRAN: ModemManager then also follows +CEREG
        if op == 'test':
            return ['+WS46: (12,22,25,28,29,30,31)']
        if op == 'read':
            return ['+WS46: 25']
        return []

    def at_CGDCONT(self, op, args):
        if op == 'test':
            return ['+CGDCONT: (1-10),"IP",,,(0-2),(0-4)']
        if op == 'read':
            return ['+CGDCONT: %d,"%s","%s","0.0.0.0",0,0' % (cid, t, apn)
                    for cid, (t, apn) in sorted(self.contexts.items())]
        if op == 'set' and args and args[0].isdigit():
            cid = int(args[0])
            if len(args) == 1:
                self.contexts.pop(cid, None)
            else:
                self.contexts[cid] = (args[1], args[2] if len(args) > 2 else '')
            return []
        return None

    def at_CGACT(self, op, args):
        if op == 'test':
            return ['+CGACT: (0,1)']
        if op == 'read':
            return ['+CGACT: %d,%d' % (cid, 1 if cid in self.active else 0) for cid in sorted(self.contexts)]
        if op == 'set' and args:
            cids = [int(a) for a in args[1:] if a.isdigit()]     # none: every context
            if args[0] == '0':
                if self.call and (not cids or self.call['cid'] in cids):
                    self.hang_up('AT+CGACT=0')
                self.active.difference_update(cids or list(self.active))
            else:
                self.active.update(cids or sorted(self.contexts))
        return []

    def at_CGATT(self, op, args):
        if op == 'test':
            return ['+CGATT: (0,1)']
        return ['+CGATT: %d' % (1 if self.registered() else 0)] if op == 'read' else []

    def at_CNUM(self, op, args):
        return []

    def at_CSIM(self, op, args):
        return None     # no generic SIM access: ModemManager then skips PIN retry counts


def luhn_complete(digits):
    """digits + the Luhn check digit (ICCIDs carry one)."""
    total = 0
    for i, d in enumerate(reversed(digits)):
        v = int(d) * (2 if i % 2 == 0 else 1)
        total += v - 9 if v > 9 else v
    return digits + str((10 - total % 10) % 10)


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--socket', required=True, help='UNIX socket path to listen on (the modem port)')
    p.add_argument('--log', help='append every AT command and answer to this file')
    p.add_argument('--iccid', default=luhn_complete('894900000000000001'))
    p.add_argument('--imei', default='350000000000017')
    p.add_argument('--imsi')
    p.add_argument('--operator-name', default='Simnet')
    p.add_argument('--operator-code', default='00101', help='MCC+MNC')
    p.add_argument('--roaming', action='store_true', help='register as roaming instead of home')
    p.add_argument('--manufacturer', default='Simbudget')
    p.add_argument('--model', default='Simulated AT modem')
    p.add_argument('--revision', default='1.0')
    p.add_argument('--tun', help='TUN interface for the network side (created here)')
    p.add_argument('--gateway', default='10.200.0.1', help="the network's end of the PPP link")
    p.add_argument('--address', default='10.200.0.2', help='the address IPCP assigns to the device')
    p.add_argument('--dns', action='append', default=[], help='DNS server(s) IPCP hands out')
    p.add_argument('--pap', metavar='USER:PASSWORD', help='the network requires PAP with these credentials')
    args = p.parse_args(argv)
    if not args.imsi:
        args.imsi = (args.operator_code + '0' * 15)[:14] + '1'
    return args


def main(argv=None):
    args = parse_args(argv)
    modem = Modem(args)

    def stop(*_):
        raise Stop()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    modem.setup()
    print('READY', flush=True)
    modem.run()


if __name__ == '__main__':
    main()
