"""Just enough PPP (RFC 1661/1662/1332) for the simulated modem and the
pppd stand-in: HDLC-like framing with FCS-16, LCP and IPCP packets, and
IPv4 datagrams. No compression, no authentication protocol, no IPv6CP."""

import struct

FLAG = 0x7e
ESCAPE = 0x7d

PROTO_IP = 0x0021
PROTO_IPCP = 0x8021
PROTO_LCP = 0xc021
PROTO_PAP = 0xc023

CONF_REQ = 1
CONF_ACK = 2
CONF_NAK = 3
CONF_REJ = 4
TERM_REQ = 5
TERM_ACK = 6
CODE_REJ = 7
PROTO_REJ = 8
ECHO_REQ = 9
ECHO_REPLY = 10

LCP_AUTH = 3

PAP_AUTH_REQ = 1
PAP_AUTH_ACK = 2
PAP_AUTH_NAK = 3

IPCP_ADDRESS = 3
IPCP_DNS1 = 129
IPCP_DNS2 = 131


def _fcs_table():
    table = []
    for b in range(256):
        v = b
        for _ in range(8):
            v = (v >> 1) ^ 0x8408 if v & 1 else v >> 1
        table.append(v)
    return table


_FCS = _fcs_table()


def fcs16(data, fcs=0xffff):
    for b in data:
        fcs = (fcs >> 8) ^ _FCS[(fcs ^ b) & 0xff]
    return fcs


def encode(protocol, payload):
    """One frame: address/control/protocol uncompressed, every control
    character escaped (the default ACCM)."""
    body = bytes([0xff, 0x03]) + struct.pack('!H', protocol) + payload
    fcs = fcs16(body) ^ 0xffff
    body += struct.pack('<H', fcs)
    out = bytearray([FLAG])
    for b in body:
        if b < 0x20 or b in (FLAG, ESCAPE):
            out += bytes([ESCAPE, b ^ 0x20])
        else:
            out.append(b)
    out.append(FLAG)
    return bytes(out)


class Deframer:
    """Turns a byte stream into (protocol, payload) frames; frames with a
    bad FCS are counted and dropped, as a real PPP link would."""

    def __init__(self):
        self._buf = bytearray()
        self.bad = 0

    def feed(self, data):
        self._buf += data
        frames = []
        while True:
            start = self._buf.find(FLAG)
            if start < 0:
                self._buf.clear()
                break
            end = self._buf.find(FLAG, start + 1)
            if end < 0:
                del self._buf[:start]
                break
            raw = self._buf[start + 1:end]
            del self._buf[:end]
            if raw:
                frame = self._decode(raw)
                if frame is None:
                    self.bad += 1
                else:
                    frames.append(frame)
        return frames

    @staticmethod
    def _decode(raw):
        body = bytearray()
        it = iter(raw)
        for b in it:
            if b == ESCAPE:
                b = next(it, None)
                if b is None:
                    return None
                b ^= 0x20
            body.append(b)
        if len(body) < 6 or fcs16(body) != 0xf0b8:
            return None
        body = body[:-2]
        if body[:2] == b'\xff\x03':
            body = body[2:]
        protocol = struct.unpack('!H', body[:2])[0]
        return protocol, bytes(body[2:])


def control(code, ident, data=b''):
    return struct.pack('!BBH', code, ident, 4 + len(data)) + data


def parse_control(payload):
    """(code, identifier, data) of an LCP/IPCP packet, or None."""
    if len(payload) < 4:
        return None
    code, ident, length = struct.unpack('!BBH', payload[:4])
    if length < 4 or length > len(payload):
        return None
    return code, ident, payload[4:length]


def options(opts):
    return b''.join(struct.pack('!BB', t, 2 + len(v)) + v for t, v in opts)


def parse_options(data):
    out = []
    while len(data) >= 2:
        t, n = data[0], data[1]
        if n < 2 or n > len(data):
            break
        out.append((t, bytes(data[2:n])))
        data = data[n:]
    return out


def pap_request(user, password):
    u, pw = user.encode(), password.encode()
    return bytes([len(u)]) + u + bytes([len(pw)]) + pw


def parse_pap_request(data):
    """(user, password) of a PAP Authenticate-Request, or None."""
    if not data:
        return None
    n = data[0]
    if len(data) < 2 + n or len(data) < 2 + n + data[1 + n]:
        return None
    m = data[1 + n]
    return data[1:1 + n].decode(errors='replace'), data[2 + n:2 + n + m].decode(errors='replace')
