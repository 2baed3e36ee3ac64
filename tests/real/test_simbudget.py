#!/usr/bin/python3
"""simbudgetd against the real ModemManager and NetworkManager (issue 7).

The modem is a generic AT modem: ModemManager reports no bearer Stats, so
the daemon counts from the kernel counters of NetworkManager's IpInterface
(ppp0, the pppd stand-in's TUN). Readings on demand come from
ConnectionEvent, what the NM dispatcher script calls on up/down; Stats
only move every 30 s, too slow for a test."""

import configparser
import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest

import dbus

import harness
from harness import RealTestCase

SB_BUS = 'org.simbudget.SimBudget1'
SB_PATH = '/org/simbudget/SimBudget1'
SB_PROFILE_IFACE = 'org.simbudget.SimBudget1.Profile'
NM_SETTINGS_PATH = '/org/freedesktop/NetworkManager/Settings'
NM_SETTINGS_IFACE = 'org.freedesktop.NetworkManager.Settings'
NM_SETTINGS_CONN_IFACE = 'org.freedesktop.NetworkManager.Settings.Connection'

SOURCE_ROOT = os.path.dirname(os.path.dirname(harness.HERE))
SINK = '10.200.0.77'         # routed through ppp0; the internet side does not forward it
IP_UDP_HEADERS = 28         # IPv4 (20) + UDP (8): what the kernel counts on top of the payload


def cli_path():
    """The CLI built beside the daemon: BUILD/plugin/simbudgetd → BUILD/client/simbudget."""
    daemon = os.environ.get('SB_DAEMON', '')
    return os.path.join(os.path.dirname(os.path.dirname(daemon)), 'client', 'simbudget')


class SimBudgetCase(RealTestCase):
    """A rig with simbudgetd in the device namespace."""

    maxDiff = None

    def setUp(self):
        super().setUp()
        if not os.path.exists(os.environ.get('SB_DAEMON', '')):
            self.skipTest('SB_DAEMON does not name a built simbudgetd')
        self.state_dir = os.path.join(self.rig.dir, 'sbstate')
        self.daemon_env = {}
        self.path = '%s/Profile/%s' % (SB_PATH, self.rig.iccid)

    # ---- the daemon ------------------------------------------------------

    def start_daemon(self, **env):
        """simbudgetd --verbose in the device namespace (it reads ppp0's
        /sys there); waits until it owns its name."""
        self.daemon_env.update(env)
        argv = ['env', 'G_DEBUG=fatal-criticals'] + ['%s=%s' % kv for kv in self.daemon_env.items()]
        argv += [os.environ['SB_DAEMON'], '--verbose', '--state-dir', self.state_dir]
        p = self.rig.spawn('simbudgetd', argv)
        self.rig.wait_for(lambda: self.rig.bus.name_has_owner(SB_BUS), 'simbudgetd on the bus', proc=p)
        return p

    def stop_daemon(self):
        self.assertEqual(self.rig.stop('simbudgetd'), 0, 'simbudgetd exit status')

    def daemon_log(self):
        with open(os.path.join(self.rig.dir, 'simbudgetd.log'), errors='replace') as f:
            return f.read()

    def props(self):
        return self.rig._props(SB_BUS, self.path, SB_PROFILE_IFACE)

    def prop(self, name):
        return self.props()[name]

    def wait_prop(self, name, value, timeout=15):
        """Waits until the profile's NAME equals VALUE; fails with the last
        value seen."""
        seen = []

        def check():
            v = self.prop(name)
            seen[:] = [v]
            return v == value
        try:
            self.rig.wait_for(check, 'profile %s == %r' % (name, value), timeout)
        except harness.RigError as e:
            self.fail('%s (last seen: %r)' % (e, seen[0] if seen else None))

    def connection_event(self, action='up', iface=''):
        """What the dispatcher script does: the daemon takes a reading of
        every bearer before it answers."""
        self.rig.bus.call_blocking(SB_BUS, SB_PATH, SB_BUS, 'ConnectionEvent', 'sss',
                                   (action, self.uuid(), iface), timeout=10)

    def profile_call(self, method, signature='', args=()):
        return self.rig.bus.call_blocking(SB_BUS, self.path, SB_PROFILE_IFACE, method, signature, args,
                                          timeout=10)

    def monitor_signals(self):
        """dbus-monitor on the profile signals, ready when it returns."""
        self.rig.spawn('signals', ['dbus-monitor', '--address', self.rig.bus_address,
                                   "type='signal',interface='%s'" % SB_PROFILE_IFACE], in_device_ns=False)
        self.rig.wait_for(lambda: 'NameLost' in self._read('signals.log'), 'dbus-monitor listening')

    def _read(self, name):
        with open(os.path.join(self.rig.dir, name), errors='replace') as f:
            return f.read()

    def signals(self, member):
        """The arguments of every MEMBER signal so far, as lists of strings."""
        out, args = [], None
        for line in self._read('signals.log').splitlines():
            if line.startswith('signal '):
                args = [] if 'member=%s' % member in line else None
                if args is not None:
                    out.append(args)
            elif args is not None and line.startswith('   '):
                args.append(line.split()[-1])
        return out

    # ---- NetworkManager --------------------------------------------------

    def uuid(self, name='sbreal'):
        return self.rig.nmcli('-g', 'connection.uuid', 'connection', 'show', name).stdout.strip()

    def nm_settings(self):
        """The connection's settings as NetworkManager serves them."""
        path = self.rig.bus.call_blocking(harness.NM_BUS, NM_SETTINGS_PATH, NM_SETTINGS_IFACE,
                                          'GetConnectionByUuid', 's', (self.uuid(),))
        return self.rig.bus.call_blocking(harness.NM_BUS, path, NM_SETTINGS_CONN_IFACE, 'GetSettings', '', ())

    def cli(self, *args):
        r = subprocess.run([cli_path()] + list(args), capture_output=True, text=True, env=self.rig.env,
                           timeout=30)
        self.assertEqual(r.returncode, 0, 'simbudget %s: %s%s' % (' '.join(args), r.stdout, r.stderr))
        return r

    def keyfile_user_data(self, name='sbreal'):
        """The [user] group of the connection's keyfile, as on disk."""
        path = os.path.join(self.rig.dir, 'nm', 'connections', name + '.nmconnection')
        kf = configparser.ConfigParser(interpolation=None, delimiters=('=',))
        kf.optionxform = str
        kf.read(path)
        return dict(kf['user']) if kf.has_section('user') else {}

    def active(self, name='sbreal'):
        """The connection's activation state as nmcli prints it ('' when down)."""
        return self.rig.nmcli('-g', 'GENERAL.STATE', 'connection', 'show', name).stdout.strip()

    def counters_or_none(self, ifname):
        """(rx, tx) of IFNAME, None once it is gone."""
        r = self.rig.ns_run(self.rig.ns_dev, 'cat', '/sys/class/net/%s/statistics/rx_bytes' % ifname,
                            '/sys/class/net/%s/statistics/tx_bytes' % ifname, check=False)
        return tuple(int(v) for v in r.stdout.split()) if r.returncode == 0 else None

    def ifindex(self, ifname):
        return int(self.rig.ns_run(self.rig.ns_dev, 'cat', '/sys/class/net/%s/ifindex' % ifname).stdout)

    def device_autoconnect(self):
        return bool(self.rig.gsm_device()[1]['Autoconnect'])

    def wait_down(self, ifname):
        self.rig.wait_for(lambda: not self.rig.iface_exists(ifname), '%s gone' % ifname)
        self.rig.wait_for(lambda: self.active() == '', 'the connection no longer active')

    # ---- traffic ---------------------------------------------------------

    def traffic(self, count, size):
        """A UDP burst echoed by the peer; returns the IP bytes it put on
        ppp0 each way, from what the peer saw."""
        before = self.rig.peer_totals()
        sent = self.rig.send_udp(count=count, size=size)
        after = self.rig.peer_totals()
        packets = after['packets'] - before['packets']
        payload = after['bytes'] - before['bytes']
        self.assertEqual(packets, count, 'datagrams at the peer')
        self.assertEqual(sent['received'], count, 'echoes back at the device')
        out = payload + IP_UDP_HEADERS * packets
        back = sent['received_bytes'] + IP_UDP_HEADERS * sent['received']
        return back, out

    def upload(self, count, size):
        """COUNT datagrams out through ppp0 to SINK, which the internet
        side drops without a word (no echo, no ICMP); returns (sent,
        refused with EPERM: what netfilter drops on the way out)."""
        code = ('import socket, sys\n'
                's = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n'
                's.connect((sys.argv[1], int(sys.argv[2])))\n'
                'sent = refused = 0\n'
                'for i in range(int(sys.argv[3])):\n'
                '    try:\n'
                '        s.send(bytes(int(sys.argv[4])))\n'
                '        sent += 1\n'
                '    except PermissionError:\n'
                '        refused += 1\n'
                'print(sent, refused)\n')
        out = self.rig.ns_run(self.rig.ns_dev, harness.PYTHON, '-c', code, SINK, str(harness.PEER_PORT),
                              str(count), str(size)).stdout.split()
        return int(out[0]), int(out[1])

    def assert_counted_exactly(self, ifname):
        """Takes a reading and compares the daemon's figures with ppp0's
        counters, read by the test at the same moment (nothing else sends
        on ppp0)."""
        rx, tx = self.rig.counters(ifname)
        self.connection_event('up', ifname)
        p = self.props()
        self.assertEqual((int(p['RxBytes']), int(p['TxBytes'])), (rx, tx),
                         'daemon vs kernel counters of ' + ifname)
        self.assertEqual(int(p['UsedBytes']), rx + tx)
        return rx, tx


class Counting(SimBudgetCase):
    """What is compared: the profile's RxBytes and TxBytes with ppp0's
    rx_bytes and tx_bytes in /sys (whole IP packets, everything since ppp0
    was created, including the 48-byte IPv6 packet the kernel sends as
    ppp0 comes up, before NetworkManager disables IPv6 on it), UsedBytes
    with their sum; and across a burst, the growth of each counter with
    the payload the peer saw (or the echoes the sender got back) plus 28
    bytes of IPv4/UDP header per datagram."""

    def test_profile_and_exact_kernel_counts(self):
        self.start_daemon()
        self.rig.wait_for(lambda: self.rig.bus.call_blocking(
            SB_BUS, self.path, dbus.PROPERTIES_IFACE, 'Get', 'ss', (SB_PROFILE_IFACE, 'Iccid')),
            'the profile of the simulated SIM')
        p = self.props()
        self.assertEqual(str(p['Iccid']), self.rig.iccid)
        self.assertEqual(str(p['OperatorName']), 'Simnet')
        # ModemManager reports SimType 0 (unknown) and no EID for this generic AT modem
        self.assertEqual(str(p['SimType']), 'unknown')
        self.assertEqual(str(p['Eid']), '')
        self.assertEqual(str(p['Enforcement']), 'none')
        self.assertEqual(str(p['State']), 'untracked')
        self.assertFalse(p['Active'])
        self.assertEqual(int(p['UsedBytes']), 0)

        ifname = self.activate()
        self.wait_prop('Active', True)
        self.wait_prop('Interface', ifname)
        self.assertEqual(str(self.prop('ConnectionUuid')), self.uuid())
        self.assertEqual(str(self.prop('ConnectionId')), 'sbreal')
        rx0, tx0 = self.assert_counted_exactly(ifname)

        back, out = self.traffic(count=200, size=1000)
        rx1, tx1 = self.assert_counted_exactly(ifname)
        self.assertEqual(tx1 - tx0, out, 'sent: payload at the peer + IPv4/UDP headers')
        self.assertEqual(rx1 - rx0, back, 'received: the echoes + IPv4/UDP headers')

    def test_modemmanager_restart_counts_no_byte_twice(self):
        self.start_daemon()
        ifname = self.activate()
        self.traffic(count=30, size=1000)
        rx1, tx1 = self.assert_counted_exactly(ifname)
        self.rig.restart_mm()
        self.rig.wait_for(lambda: not self.rig.iface_exists(ifname), 'the session ended with ModemManager')
        self.rig.wait_modem()
        self.rig.wait_gsm_device()
        self.wait_prop('Active', False)
        self.assertEqual(int(self.prop('UsedBytes')), rx1 + tx1, 'nothing counted again at the restart')
        self.rig.connection_up()
        ifname = self.rig.wait_for(self.rig.ip_iface, 'up through the new ModemManager')
        self.wait_prop('Active', True)
        self.traffic(count=20, size=700)
        rx2, tx2 = self.rig.counters(ifname)
        self.connection_event('up', ifname)
        self.assertEqual(int(self.prop('UsedBytes')), rx1 + tx1 + rx2 + tx2)
        self.assertEqual((int(self.prop('RxBytes')), int(self.prop('TxBytes'))), (rx1 + rx2, tx1 + tx2))
        # and once more after the daemon's own restart
        self.stop_daemon()
        self.start_daemon()
        self.wait_prop('Active', True)
        self.connection_event('up', ifname)
        self.assertEqual(int(self.prop('UsedBytes')), rx1 + tx1 + rx2 + tx2)

    def test_reused_ifindex_after_a_reboot_is_a_new_session(self):
        """The kernel-counter session is keyed by the interface index
        (if:ppp0:IFINDEX). After a reboot ppp0 gets the same index again:
        the persisted snapshot of the old session is taken for this one and
        its figures are subtracted from the new counters. A fresh rig (new
        namespaces, ppp0 again index 2) over the same state directory is
        that reboot; the daemon first looks once traffic has flowed (it
        started late, or ModemManager's Stats move only every 30 s)."""
        self.state_dir = tempfile.mkdtemp(prefix='sbstate-')
        self.addCleanup(shutil.rmtree, self.state_dir, True)
        self.start_daemon()
        ifname = self.activate()
        index = self.ifindex(ifname)
        self.traffic(count=10, size=200)
        rx1, tx1 = self.assert_counted_exactly(ifname)
        self.stop_daemon()
        self.assertEqual(self.rig.teardown(), [], 'the first rig left things behind')

        self.rig = harness.Rig(**self.rig_options)
        self.rig.start()
        ifname = self.activate()
        self.assertEqual(self.ifindex(ifname), index, 'the same index again (what this case is about)')
        self.traffic(count=50, size=1000)
        rx2, tx2 = self.rig.counters(ifname)
        self.start_daemon()
        self.wait_prop('Active', True)
        self.connection_event('up', ifname)
        self.assertEqual((int(self.prop('RxBytes')), int(self.prop('TxBytes'))), (rx1 + rx2, tx1 + tx2))


class Budget(SimBudgetCase):

    def line_with_budget(self, *budget, autoconnect='yes'):
        """The daemon, the gsm connection (autoconnect on, so that only the
        daemon's block keeps it down), the budget written with `simbudget
        set`, the connection up; returns ppp0."""
        self.start_daemon()
        self.rig.wait_gsm_device()
        self.rig.add_gsm_connection(extra=('connection.autoconnect', autoconnect))
        self.cli('set', 'sbreal', *budget)
        self.wait_prop('ConnectionUuid', self.uuid())
        if autoconnect == 'no':
            self.rig.connection_up()
        return self.rig.wait_for(self.rig.ip_iface, 'the gsm connection up')

    def spend(self, ifname, limit):
        """Echoed datagrams until the budget is gone, then a reading (what
        the dispatcher or ModemManager's next Stats cause): the daemon must
        find it exhausted and NetworkManager take the line down. Returns
        the bytes counted.

        With the kernel quota (remaining = limit - used at the last
        reading) the packet that would reach the limit is refused. The
        payload size is chosen so that this packet is the echo of the last
        datagram, coming in: ppp0 counts it before the quota drops it, so
        the counters pass the limit. (An outgoing packet refused is never
        counted: see test_refused_upload_exhausts_the_budget.)"""
        rx0, tx0 = self.assert_counted_exactly(ifname)
        quota = limit - rx0 - tx0
        self.assertGreater(quota, 0)
        for payload in range(1000, 100, -1):
            passing = -(-quota // (payload + IP_UDP_HEADERS)) - 1     # packets n with n·S < quota
            if passing % 2 == 1:
                break
        size = payload + IP_UDP_HEADERS
        datagrams = (passing + 1) // 2    # the last one's echo is the packet refused
        before = self.rig.peer_totals()
        if datagrams > 1:
            self.traffic(count=datagrams - 1, size=payload)
        sent = self.rig.send_udp(count=1, size=payload, expect_echo=False)
        self.assertEqual(sent['sent'], 1)
        after = self.rig.peer_totals()
        self.assertEqual(after['packets'] - before['packets'], datagrams, 'datagrams at the peer')
        rx, tx = rx0 + datagrams * size, tx0 + datagrams * size
        # the last echo has reached ppp0 (or a reading of the daemon's own
        # already cut the line)
        self.rig.wait_for(lambda: self.counters_or_none(ifname) in (None, (rx, tx)),
                          '%s counting %d bytes in, %d out' % (ifname, rx, tx))
        self.assertGreaterEqual(rx + tx, limit)
        if self.rig.iface_exists(ifname):
            self.connection_event('up', ifname)
        self.wait_prop('State', 'exhausted')
        p = self.props()
        self.assertEqual((int(p['RxBytes']), int(p['TxBytes'])), (rx, tx))
        self.assertEqual(int(p['UsedBytes']), rx + tx)
        self.wait_down(ifname)
        return rx + tx

    def test_set_writes_user_data_through_networkmanager(self):
        self.start_daemon()
        self.rig.wait_gsm_device()
        self.rig.add_gsm_connection()
        self.cli('set', 'sbreal', 'limit', '1.5GB', 'period', 'weekly:wed', 'timezone', 'Asia/Tokyo',
                 'warn', '50,90')
        expected = {'simbudget.limit': '1.5GB', 'simbudget.period': 'weekly:wed',
                    'simbudget.timezone': 'Asia/Tokyo', 'simbudget.warn': '50,90'}
        user = self.keyfile_user_data()
        self.assertEqual({k: v for k, v in user.items() if k.startswith('simbudget.')}, expected)
        # NetworkManager itself holds them (not only the file)
        settings = self.nm_settings()
        self.assertEqual({str(k): str(v) for k, v in settings['user']['data'].items()}, expected)
        # and the daemon follows the change live
        self.wait_prop('Limit', 1500000000)
        p = self.props()
        self.assertEqual(str(p['Period']), 'weekly:wed')
        self.assertEqual(str(p['TimeZone']), 'Asia/Tokyo')
        self.assertEqual([int(t) for t in p['Thresholds']], [50, 90])
        self.assertIn(str(p['Enforcement']), ('disconnect', 'disconnect+quota'))
        self.assertEqual(str(p['ConfigError']), '')
        self.assertEqual(str(p['State']), 'ok')

        self.cli('unset', 'sbreal')
        self.wait_prop('Limit', 0)
        self.assertEqual({k for k in self.keyfile_user_data() if k.startswith('simbudget.')}, set())
        self.assertEqual(str(self.prop('State')), 'untracked')

    def test_cut_at_limit_and_kept_down(self):
        ifname = self.line_with_budget('limit', '20kB', 'warn', 'none')
        # root in the device namespace: the kernel quota is on ppp0
        self.wait_prop('Enforcement', 'disconnect+quota')
        self.monitor_signals()
        used = self.spend(ifname, 20000)
        self.assertEqual(self.signals('BudgetExhausted'), [[str(used), '20000', 'true']])
        self.assertIn(str(self.prop('Enforcement')), ('disconnect', 'disconnect+quota'))
        self.assertFalse(self.prop('Active'))
        # the real NetworkManager hung up the modem
        self.rig.wait_for(lambda: self.rig.modem_state() == harness.MM_MODEM_STATE_REGISTERED,
                          'ModemManager back to registered')
        self.assertIn('AT+CGACT=0', self.rig.at_log())
        # kept down although the connection autoconnects: the device is blocked
        self.rig.wait_gsm_device()
        self.assertFalse(self.device_autoconnect())
        self.assertEqual(self.rig.nmcli('-g', 'connection.autoconnect', 'connection', 'show',
                                        'sbreal').stdout.strip(), 'yes', 'the connection itself untouched')
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            self.assertEqual(self.active(), '', 'NetworkManager brought it back')
            time.sleep(0.2)
        self.assertEqual(int(self.prop('UsedBytes')), used, 'nothing counted while down')

    def test_refused_upload_exhausts_the_budget(self):
        """Upload only, past the limit: the kernel quota refuses every
        packet from the one that would reach the limit on, and a refused
        outgoing packet never reaches ppp0's counters. The counted usage
        stays a few bytes short of the limit for good: the line carries
        nothing, yet the budget never reads exhausted, no BudgetExhausted,
        no cut-off (the daemon never asks the quota whether it refused)."""
        ifname = self.line_with_budget('limit', '10kB', 'warn', 'none')
        self.wait_prop('Enforcement', 'disconnect+quota')
        rx0, tx0 = self.assert_counted_exactly(ifname)
        quota = 10000 - rx0 - tx0
        passing = -(-quota // 1028) - 1
        sent, refused = self.upload(passing + 5, 1000)
        # a datagram refused on the way out fails the sender's send() with EPERM
        self.assertEqual((sent, refused), (passing, 5))
        # the last datagram may still sit in the device's queue
        deadline = time.monotonic() + 2
        while self.rig.counters(ifname) != (rx0, tx0 + passing * 1028) and time.monotonic() < deadline:
            time.sleep(0.02)
        self.assertEqual(self.rig.counters(ifname), (rx0, tx0 + passing * 1028))
        self.connection_event('up', ifname)
        self.wait_prop('State', 'exhausted', timeout=3)
        self.wait_down(ifname)

    def test_connection_up_while_exhausted_is_cut_again(self):
        ifname = self.line_with_budget('limit', '10kB', 'warn', 'none')
        self.monitor_signals()
        self.spend(ifname, 10000)
        self.rig.wait_gsm_device()
        r = self.rig.nmcli('--wait', '20', 'connection', 'up', 'sbreal', check=False, timeout=30)
        self.rig.wait_for(lambda: 'taken down again' in self.daemon_log(), 'the daemon cutting again')
        self.rig.wait_for(lambda: self.active() == '', 'the connection down again')
        self.rig.wait_gsm_device()
        self.assertFalse(self.device_autoconnect())
        exhausted = self.signals('BudgetExhausted')
        self.assertEqual(len(exhausted), 2, exhausted)
        self.assertEqual([a[2] for a in exhausted], ['true', 'true'])
        self.assertEqual(str(self.prop('State')), 'exhausted')
        # taken down while NetworkManager was still preparing the modem:
        # nmcli reports the activation failed, no PPP session came up
        self.assertEqual(r.returncode, 4, 'nmcli: %s%s' % (r.stdout, r.stderr))
        with open(os.path.join(self.rig.dir, 'pppd.log')) as f:
            self.assertEqual(f.read().count('interface ppp0:'), 1, 'PPP sessions')

    def test_override_brings_the_connection_back(self):
        ifname = self.line_with_budget('limit', '10kB', 'warn', 'none')
        used = self.spend(ifname, 10000)
        self.profile_call('Override', 't', (dbus.UInt64(100000),))
        self.wait_prop('State', 'overridden')
        self.assertEqual(int(self.prop('ExtraAllowance')), 100000)
        ifname = self.rig.wait_for(self.rig.ip_iface, 'the connection back by itself')
        self.rig.wait_for(self.device_autoconnect, 'the device autoconnect restored')
        # a new session on a new ppp0: counted on top, from its own counters
        back, out = self.traffic(count=20, size=500)
        rx, tx = self.rig.counters(ifname)
        self.connection_event('up', ifname)
        self.wait_prop('UsedBytes', used + rx + tx)
        self.assertEqual(str(self.prop('State')), 'overridden')

    def test_rollover_brings_the_connection_back(self):
        # traffic first, then the daemon starts 6 s before the next UTC
        # midnight of its clock: its first reading is over the limit
        self.rig.wait_gsm_device()
        self.rig.add_gsm_connection(extra=('connection.autoconnect', 'yes'))
        self.cli('set', 'sbreal', 'limit', '10kB', 'period', 'daily', 'timezone', 'UTC', 'warn', 'none')
        ifname = self.rig.wait_for(self.rig.ip_iface, 'the gsm connection up')
        self.traffic(count=10, size=1000)
        rx, tx = self.rig.counters(ifname)
        now = time.time()
        boundary = (int(now) // 86400 + 1) * 86400
        self.start_daemon(SIMBUDGET_TIME_OFFSET=str(boundary - 6 - int(now)))
        self.wait_prop('State', 'exhausted')
        self.assertEqual(int(self.prop('PeriodEnd')), boundary)
        self.assertEqual(int(self.prop('UsedBytes')), rx + tx)
        self.wait_down(ifname)
        # no traffic, no reading: the daemon's own timer rolls over
        self.wait_prop('PeriodStart', boundary, timeout=12)
        p = self.props()
        self.assertEqual(int(p['PeriodEnd']), boundary + 86400)
        self.assertEqual(int(p['UsedBytes']), 0)
        self.assertEqual(int(p['TotalBytes']), rx + tx)
        self.wait_prop('State', 'ok')
        self.rig.wait_for(self.rig.ip_iface, 'the connection back by itself')
        self.rig.wait_for(self.device_autoconnect, 'the device autoconnect restored')

    def test_networkmanager_restart_while_exhausted(self):
        ifname = self.line_with_budget('limit', '10kB', 'warn', 'none')
        used = self.spend(ifname, 10000)
        self.rig.restart_nm()
        # the new NetworkManager lists the autoconnecting connection and the
        # modem again: the daemon holds the device back, or cuts at once
        self.rig.wait_gsm_device()
        self.rig.wait_for(lambda: not self.device_autoconnect(), 'the device blocked again')
        self.rig.wait_for(lambda: self.active() == '', 'the connection down')
        before = self.rig.peer_totals()
        r = self.rig.ns_run(self.rig.ns_dev, harness.PYTHON, os.path.join(harness.HERE, 'peer.py'), 'send',
                            '--to', harness.GATEWAY, '--port', str(harness.PEER_PORT), '--size', '100',
                            '--count', '5', '--timeout', '1', check=False)
        self.assertNotEqual(r.returncode, 0, 'no route to the peer: %s' % r.stdout)
        self.assertEqual(self.rig.peer_totals(), before, 'nothing reached the internet side')
        self.assertEqual(str(self.prop('State')), 'exhausted')
        self.assertEqual(int(self.prop('UsedBytes')), used)


class Dispatcher(SimBudgetCase):
    """The real nm-dispatcher runs the project's script (installed only in
    NetworkManager's private mount namespace) on pre-up, up, pre-down and
    down; NetworkManager waits for pre-down, so the last bytes of a session
    are read while ppp0 still exists."""

    rig_options = {'dispatcher_scripts': [os.path.join(SOURCE_ROOT, 'dispatcher', '90-simbudget')]}

    def setUp(self):
        if harness.nm_dispatcher() is None:
            self.skipTest('nm-dispatcher is not installed')
        super().setUp()

    def events(self):
        return re.findall(r'Connection event (\S+) for (\S+) \((\S*)\)', self.daemon_log())

    def test_script_reports_up_and_down(self):
        self.start_daemon()
        ifname = self.activate()
        uuid = self.uuid()
        self.rig.wait_for(lambda: ('up', uuid, ifname) in self.events(), 'the up event from the dispatcher')
        self.assertIn(('pre-up', uuid, ifname), self.events())
        self.traffic(count=50, size=1000)
        rx, tx = self.rig.counters(ifname)
        self.rig.connection_down()
        self.wait_down(ifname)
        # after the teardown NetworkManager names the device (at0) as the IP interface
        self.rig.wait_for(lambda: ('down', uuid, 'at0') in self.events(),
                          'the down event from the dispatcher')
        self.assertIn(('pre-down', uuid, ifname), self.events())
        self.wait_prop('UsedBytes', rx + tx)
        self.assertEqual((int(self.prop('RxBytes')), int(self.prop('TxBytes'))), (rx, tx))


if __name__ == '__main__':
    harness.main()
