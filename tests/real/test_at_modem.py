#!/usr/bin/python3
"""The simulated modem on its own, without daemons or namespaces (no root
needed): what ModemManager's probing reads, and the data-mode model the
pppd stand-in relies on."""

import os
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest

import harness
import ppp

HERE = os.path.dirname(os.path.abspath(__file__))
ICCID = harness.luhn_complete('894900000000004201')


class ModemTestCase(unittest.TestCase):
    extra_args = []

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix='sbmodem-')
        self.addCleanup(shutil.rmtree, self.dir, ignore_errors=True)
        self.path = os.path.join(self.dir, 'at0')
        self.proc = subprocess.Popen([harness.PYTHON, os.path.join(HERE, 'at_modem.py'), '--socket', self.path,
                                      '--log', os.path.join(self.dir, 'at.log'), '--iccid', ICCID,
                                      '--imei', '350000000000017', '--operator-code', '00101',
                                      '--operator-name', 'Simnet', '--dns', '10.200.0.53'] + self.extra_args,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.addCleanup(self._stop)
        self.assertEqual(self.proc.stdout.readline().strip(), b'READY')
        self.at = self.connect()

    def _stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            # a loaded CI machine, not the test subject: do not fail on it
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()

    def connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(self.path)
        self.addCleanup(s.close)
        return s

    def cmd(self, line, final=('OK', 'ERROR', 'CONNECT', 'NO CARRIER'), raw=False):
        """Sends one command line (raw: these bytes only); returns the
        answer's lines, final result last."""
        self.at.sendall(line.encode() + (b'' if raw else b'\r'))
        buf = b''
        deadline = time.monotonic() + 5
        while True:
            lines = [ln for ln in buf.decode().split('\r\n') if ln]
            if buf.endswith(b'\r\n') and lines and lines[-1].startswith(final):
                return lines
            self.assertTrue(select.select([self.at], [], [], deadline - time.monotonic())[0], 'no answer to ' + line)
            chunk = self.at.recv(4096)
            self.assertTrue(chunk, 'connection closed')
            buf += chunk


class ProbingTest(ModemTestCase):

    def test_answers(self):
        cases = [
            ('AT', ['OK']),
            ('AT+GCAP', ['+GCAP: +CGSM,+DS,+ES', 'OK']),
            ('AT+CGSN', ['350000000000017', 'OK']),
            ('AT+CPIN?', ['+CPIN: READY', 'OK']),
            # EF_ICCID: BCD with swapped nibbles, padded with F
            ('AT+CRSM=176,12258,0,0,10', ['+CRSM: 144,0,"989400000000002410F0"', 'OK']),
            ('AT+CCID', ['+CCID: ' + ICCID, 'OK']),
            ('AT+CIMI', ['001010000000001', 'OK']),
            ('AT+CSCS=?', ['+CSCS: ("IRA","GSM")', 'OK']),
            ('AT+CREG?', ['+CREG: 0,1', 'OK']),
            ('AT+COPS=3,2;+COPS?', ['+COPS: 0,2,"00101",7', 'OK']),
            ('AT+COPS=3,0;+COPS?', ['+COPS: 0,0,"Simnet",7', 'OK']),
            ('AT+CNMI=?', ['ERROR']),
            ('AT+CSIM=10,"0020000100"', ['ERROR']),
        ]
        for line, want in cases:
            with self.subTest(line=line):
                self.assertEqual(self.cmd(line), want)
        with open(os.path.join(self.dir, 'at.log')) as f:
            self.assertIn('AT+CRSM=176,12258,0,0,10', f.read())

    def test_registration_formats(self):
        self.cmd('AT+CEREG=2')
        self.assertEqual(self.cmd('AT+CEREG?'), ['+CEREG: 2,1,"00A1","01A2B3C4",7', 'OK'])
        self.cmd('AT+CFUN=4')
        self.assertEqual(self.cmd('AT+CEREG?'), ['+CEREG: 2,0', 'OK'])
        self.assertEqual(self.cmd('ATD*99***1#'), ['NO CARRIER'])


class PppClient:
    """The pppd side of the tty, as the stand-in speaks it."""

    def __init__(self, test, sock):
        self.test = test
        self.sock = sock
        self.deframer = ppp.Deframer()

    def send(self, protocol, code, ident, data=b''):
        self.sock.sendall(ppp.encode(protocol, ppp.control(code, ident, data)))

    def frames(self, timeout=1.0):
        """Frames within timeout; [] on silence, None when the tty closed."""
        out = []
        deadline = time.monotonic() + timeout
        while not out:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.sock], [], [], left)[0]:
                return out
            data = self.sock.recv(65536)
            if not data:
                return None
            out += self.deframer.feed(data)
        return out

    def settle(self):
        """Every frame until the line has been quiet for 0.3 s."""
        out = []
        while True:
            got = self.frames(0.3)
            if not got:
                return out
            out += got

    def lcp_up(self):
        """Our Configure-Request acked and the modem's acked; returns the
        modem's LCP options."""
        self.send(ppp.PROTO_LCP, ppp.CONF_REQ, 1)
        acked, peer_req = False, None
        deadline = time.monotonic() + 3
        while not (acked and peer_req) and time.monotonic() < deadline:
            for proto, payload in self.frames() or []:
                code, ident, data = ppp.parse_control(payload)
                acked = acked or (proto == ppp.PROTO_LCP and code == ppp.CONF_ACK and ident == 1)
                if proto == ppp.PROTO_LCP and code == ppp.CONF_REQ:
                    peer_req = (ident, data)
        self.test.assertTrue(acked and peer_req, 'the modem negotiates LCP')
        self.send(ppp.PROTO_LCP, ppp.CONF_ACK, *peer_req)
        return ppp.parse_options(peer_req[1])


class DataModeTest(ModemTestCase):

    def test_ppp_only_in_data_mode(self):
        client = PppClient(self, self.connect())
        client.send(ppp.PROTO_LCP, ppp.CONF_REQ, 1)
        self.assertEqual(client.frames(0.5), [], 'command mode: PPP is line noise')

        self.assertEqual(self.cmd('AT+CGDCONT=1,"IP","internet"'), ['OK'])
        self.assertEqual(self.cmd('ATD*99***1#'), ['CONNECT 100000000'])
        client.lcp_up()
        # IPCP: ask for 0.0.0.0 and a DNS, the network naks with its choice
        client.send(ppp.PROTO_IPCP, ppp.CONF_REQ, 2, ppp.options([(ppp.IPCP_ADDRESS, b'\0' * 4),
                                                                   (ppp.IPCP_DNS1, b'\0' * 4)]))
        got = client.settle()
        nak = [ppp.parse_control(p) for proto, p in got if proto == ppp.PROTO_IPCP and p[0] == ppp.CONF_NAK]
        self.assertEqual(len(nak), 1)
        theirs = [ppp.parse_control(p) for proto, p in got if proto == ppp.PROTO_IPCP and p[0] == ppp.CONF_REQ]
        self.assertEqual(ppp.parse_options(theirs[0][2]), [(ppp.IPCP_ADDRESS, socket.inet_aton('10.200.0.1'))])
        self.assertEqual(ppp.parse_options(nak[0][2]), [(ppp.IPCP_ADDRESS, socket.inet_aton('10.200.0.2')),
                                                        (ppp.IPCP_DNS1, socket.inet_aton('10.200.0.53'))])
        # an option the network does not know is rejected, not naked
        client.send(ppp.PROTO_IPCP, ppp.CONF_REQ, 3, ppp.options([(ppp.IPCP_ADDRESS, b'\0' * 4),
                                                                   (2, b'\x00\x2d\x0f\x01')]))
        codes = [p[0] for proto, p in client.settle() if proto == ppp.PROTO_IPCP]
        self.assertEqual(codes, [ppp.CONF_REJ], 'rejected, not naked; the modem asked once only')
        # acking the modem's one request and asking for what it assigned opens IPCP
        client.send(ppp.PROTO_IPCP, ppp.CONF_ACK, theirs[0][1], theirs[0][2])
        client.send(ppp.PROTO_IPCP, ppp.CONF_REQ, 4, ppp.options(ppp.parse_options(nak[0][2])))
        codes = [p[0] for proto, p in client.settle() if proto == ppp.PROTO_IPCP]
        self.assertEqual(codes, [ppp.CONF_ACK])
        with open(os.path.join(self.dir, 'at.log')) as f:
            self.assertIn('(IPCP open)', f.read())

        # online command mode: the call stays, nothing is carried
        self.assertEqual(self.cmd('+++', raw=True), ['OK'])
        self.assertEqual(self.cmd('AT+CGACT?'), ['+CGACT: 1,1', 'OK'])
        client.send(ppp.PROTO_LCP, ppp.ECHO_REQ, 3, b'\0\0\0\0')
        self.assertEqual(client.frames(0.5), [])
        self.assertEqual(self.cmd('ATO'), ['CONNECT 100000000'])
        client.send(ppp.PROTO_LCP, ppp.ECHO_REQ, 4, b'\0\0\0\0')
        self.assertEqual([ppp.parse_control(p)[0] for _, p in client.frames()], [ppp.ECHO_REPLY])

    def test_hang_ups(self):
        # each way a call ends closes pppd's side of the tty (carrier loss)
        for how in ('ATH', 'AT+CGACT=0', 'ATZ', 'DTR drop'):
            with self.subTest(how=how):
                if self.at is None:
                    self.at = self.connect()
                self.assertEqual(self.cmd('ATD*99#'), ['CONNECT 100000000'])
                client = PppClient(self, self.connect())
                client.lcp_up()
                if how == 'DTR drop':
                    self.at.close()
                    self.at = None
                else:
                    self.assertEqual(self.cmd('+++', raw=True), ['OK'])
                    self.assertEqual(self.cmd(how), ['OK'])
                self.assertIsNone(client.frames(2.0), 'pppd sees the tty close')


class PapTest(ModemTestCase):
    extra_args = ['--pap', 'web:secret']

    def test_pap_required(self):
        for creds, acked in ((('web', 'wrong'), False), (('web', 'secret'), True)):
            with self.subTest(creds=creds):
                self.assertEqual(self.cmd('ATD*99#'), ['CONNECT 100000000'])
                client = PppClient(self, self.connect())
                opts = client.lcp_up()
                self.assertIn((ppp.LCP_AUTH, b'\xc0\x23'), opts)
                client.send(ppp.PROTO_IPCP, ppp.CONF_REQ, 5, ppp.options([(ppp.IPCP_ADDRESS, b'\0' * 4)]))
                self.assertEqual(client.frames(0.5), [], 'no IPCP before authentication')
                client.send(ppp.PROTO_PAP, ppp.PAP_AUTH_REQ, 6, ppp.pap_request(*creds))
                code = ppp.parse_control(client.frames()[0][1])[0]
                self.assertEqual(code, ppp.PAP_AUTH_ACK if acked else ppp.PAP_AUTH_NAK)
                self.assertEqual(self.cmd('+++', raw=True), ['OK'])
                self.assertEqual(self.cmd('ATH'), ['OK'])


class FramingTest(unittest.TestCase):

    def test_round_trip(self):
        payloads = [b'', b'\x7e\x7d\x00\x1f\xff', bytes(range(256)) * 6]
        stream = b''.join(ppp.encode(ppp.PROTO_IP, p) for p in payloads)
        d = ppp.Deframer()
        frames = []
        for i in range(0, len(stream), 7):     # arbitrary split points
            frames += d.feed(stream[i:i + 7])
        self.assertEqual(frames, [(ppp.PROTO_IP, p) for p in payloads])
        self.assertEqual(d.bad, 0)

    def test_bad_fcs_dropped(self):
        frame = bytearray(ppp.encode(ppp.PROTO_IP, b'hello'))
        frame[6] ^= 0x01
        d = ppp.Deframer()
        self.assertEqual(d.feed(bytes(frame)), [])
        self.assertEqual(d.bad, 1)


if __name__ == '__main__':
    unittest.main(testRunner=unittest.TextTestRunner(stream=sys.stdout, verbosity=2))
