#!/usr/bin/python3
"""Overshoot of the real simbudgetd: how many bytes cross the modem's data
interface after the budget is reached, for each cut-off mode and rate.

The set-up, one fresh run per (rate, mode):

- a network namespace of its own holding one TUN device, the modem's data
  interface: no link-layer header, like wwan and ppp, so its counters, the
  budget and the quota all count IP bytes. The "modem" is this script's
  reader of the TUN file descriptor; it discards what it reads and, when
  NetworkManager deactivates the connection, takes the interface down as
  ModemManager does when it disconnects the bearer;
- a paced UDP sender inside the namespace: 1400-byte datagrams (1428 IP
  bytes) towards the TUN's peer address, uplink, the direction a kernel
  quota can stop; pacing counts IP bytes;
- a private system bus with the ModemManager and NetworkManager mocks
  (tests/templates). The benchmark plays ModemManager's statistics refresh:
  every 30 s from the bearer's connection it reads the TUN's counters and
  hands them to the mock (SetBearerStats);
- the built simbudgetd, a connection with `simbudget.limit` set to a budget
  the traffic reaches 1.6 refreshes after connecting (48 s), between two
  refreshes.

The three modes:

- statistics only: the daemon runs outside the namespace with --no-quota;
  the bearer's interface does not exist where it looks, so it has
  ModemManager's figures alone and cuts at the first refresh past the
  budget;
- precise polling: the daemon runs inside the namespace with --no-quota; it
  reads the interface's kernel counters between refreshes;
- kernel quota: the daemon runs inside the namespace with its nftables
  quota.

A run ends when NetworkManager reports the connection deactivating (the
modem then takes the interface down), when the interface has carried
nothing for 2 s while the sender keeps trying (the quota holds), or 40 s
after the budget was reached. The figure is what the interface carried
(rx + tx, read from its counters once the sender has stopped) minus the
budget; 0 when the traffic stopped short of it.

Usage: tools/bench-overshoot [--tiny] [--cadence S] [--no-build]
Environment: SB_BUILD (build directory, default "build"), SB_BENCH_KEEP=1
keeps the logs. Needs root (network namespaces, TUN, nftables).
"""

import argparse
import fcntl
import os
import re
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import uuid

import dbus
import dbus.bus
import dbus.mainloop.glib
from gi.repository import GLib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'lib'))
import mocks  # noqa: E402
import processes  # noqa: E402
import waiting  # noqa: E402
from busnames import (DBUSMOCK_IFACE, ESIM, MM_BUS, MM_MOCK_IFACE, MM_PATH, NM_BUS,  # noqa: E402
                      NM_MOCK_PATH, SB_BUS, SB_IFACE, SB_PATH, SB_PROFILE_IFACE, profile_path)
from privatebus import PrivateBus  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import machine as machine_info  # noqa: E402

PYTHON = '/usr/bin/python3'

NM_AC_IFACE = 'org.freedesktop.NetworkManager.Connection.Active'
NM_AC_DEACTIVATING = 3

ICCID = '8981100022233344455'
MB = 1000 * 1000
KIB = 1024
MM_REFRESH_S = 30.0             # ModemManager's statistics refresh
REACH_AFTER_REFRESHES = 1.6     # the budget falls between two refreshes
PAYLOAD = 1400
PACKET = PAYLOAD + 28           # IPv4 + UDP headers: what the TUN counts
LOCAL_ADDR = '10.77.0.1'        # inside the benchmark's own namespace only
PEER_ADDR = '10.77.0.2'
DISCARD_PORT = 9
QUOTA_GOAL = 64 * KIB
# nft prints a count in the largest unit that divides it exactly
NFT_UNITS = {'bytes': 1, 'kbytes': 1024, 'mbytes': 1024 ** 2, 'gbytes': 1024 ** 3}

RATES = [(10, '10mbit'), (100, '100mbit')]
MODES = [('statistics', 'statistics only'), ('polling', 'precise polling'),
         ('quota', 'kernel quota')]

# linux/if_tun.h, linux/sockios.h, net/if.h
TUNSETIFF = 0x400454ca
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
SIOCGIFFLAGS = 0x8913
SIOCSIFFLAGS = 0x8914
IFF_UP = 0x1
IFREQ_FLAGS = struct.Struct('16sH22x')


class BenchError(Exception):
    pass


# ---- the processes inside the namespace -------------------------------------

def role_modem(ifname):
    """The far end of the data interface: creates the TUN, reads and
    discards every packet, and answers one command a line on stdin:
    `arm N` (count from now; note when N bytes have been read), `stats`,
    `down` (take the interface down, as a bearer disconnect does), `quit`.
    Each answer is `rx tx first crossed last now` (counters from sysfs,
    times on the monotonic clock, -1 for not yet)."""
    fd = os.open('/dev/net/tun', os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack('16sH', ifname.encode(), IFF_TUN | IFF_NO_PI))
    ctl = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    stats_dir = '/sys/class/net/%s/statistics/' % ifname
    count, target = 0, None
    first = crossed = last = -1.0
    pending = b''
    reading = True

    def counters():
        with open(stats_dir + 'rx_bytes') as f:
            rx = int(f.read())
        with open(stats_dir + 'tx_bytes') as f:
            tx = int(f.read())
        return '%d %d %.6f %.6f %.6f %.6f' % (rx, tx, first, crossed, last, time.monotonic())

    def answer(text):
        os.write(1, (text + '\n').encode())

    answer('ready')
    while True:
        ready, _, _ = select.select([fd, 0] if reading else [0], [], [])
        if fd in ready:
            got = 0
            for _ in range(512):
                try:
                    got += len(os.read(fd, 65536))
                except BlockingIOError:
                    break
                except OSError:
                    reading = False     # the device went away
                    break
            if got:
                now = time.monotonic()
                count += got
                last = now
                if first < 0:
                    first = now
                if target is not None and crossed < 0 and count >= target:
                    crossed = now
        if 0 in ready:
            data = os.read(0, 4096)
            if not data:
                return
            pending += data
            while b'\n' in pending:
                line, pending = pending.split(b'\n', 1)
                cmd = line.decode().split()
                if not cmd:
                    continue
                if cmd[0] == 'arm':
                    count, target = 0, int(cmd[1])
                    first = crossed = last = -1.0
                elif cmd[0] == 'down':
                    req = IFREQ_FLAGS.pack(ifname.encode(), 0)
                    flags = IFREQ_FLAGS.unpack(fcntl.ioctl(ctl, SIOCGIFFLAGS, req))[1]
                    fcntl.ioctl(ctl, SIOCSIFFLAGS, IFREQ_FLAGS.pack(ifname.encode(), flags & ~IFF_UP))
                elif cmd[0] == 'quit':
                    answer('bye')
                    return
                answer(counters())


def role_sender(addr, bits_per_s, limit_s):
    """Paced UDP datagrams until killed or limit_s has passed. A sender
    that falls behind (CPU contention) skips what it missed instead of
    bursting: the rate stays what it says. Send errors (EPERM from a quota,
    ENETUNREACH once the interface is down) are what a sender sees; it
    keeps trying."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    payload = b'\0' * PAYLOAD
    per_packet = PACKET * 8 / bits_per_s
    max_backlog = max(1, int(0.02 / per_packet))
    start = time.monotonic()
    slot = 0
    while True:
        now = time.monotonic()
        if now - start > limit_s:
            return
        due = int((now - start) / per_packet) + 1
        if due - slot > max_backlog:
            slot = due - max_backlog
        while slot < due:
            try:
                s.sendto(payload, (addr, DISCARD_PORT))
            except OSError:
                pass
            slot += 1
        wait = start + slot * per_packet - time.monotonic()
        if wait > 0.0002:
            time.sleep(wait)


# ---- the harness ---------------------------------------------------------------

class Interrupt:
    """Ctrl-C or SIGTERM: inside the main loop it ends the loop (an
    exception raised in a callback would be printed and lost), outside it
    is a KeyboardInterrupt; either way every run cleans up."""
    loop = None
    hit = False


def on_signal(_signum, _frame):
    if Interrupt.loop is not None:
        Interrupt.hit = True
        Interrupt.loop.quit()
    else:
        raise KeyboardInterrupt


def note(message):
    sys.stderr.write('bench-overshoot: %s\n' % message)
    sys.stderr.flush()


def exit_text(proc):
    proc.poll()
    if proc.returncode is None:
        return 'still running'
    if proc.returncode < 0:
        return 'killed by signal %d' % -proc.returncode
    return 'exited with %d' % proc.returncode


def wait_for(condition, what, timeout=20.0):
    if not waiting.wait_until(condition, timeout):
        raise BenchError('timed out waiting for %s' % what)


class Namespace:
    def __init__(self, name):
        self.name = name
        self.live = False

    def create(self):
        subprocess.run(['ip', 'netns', 'add', self.name], check=True)
        self.live = True
        self.run('ip', 'link', 'set', 'lo', 'up')
        # nothing but the sender's datagrams on the data interface
        self.run('sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1',
                 'net.ipv6.conf.default.disable_ipv6=1')

    def prefix(self):
        return ['ip', 'netns', 'exec', self.name]

    def run(self, *argv):
        r = subprocess.run(self.prefix() + list(argv), capture_output=True, text=True)
        if r.returncode != 0:
            raise BenchError('%s: %s' % (' '.join(argv), (r.stderr or r.stdout).strip()))
        return r.stdout

    def delete(self):
        if self.live:
            subprocess.run(['ip', 'netns', 'del', self.name], capture_output=True)
            self.live = False


class Modem:
    """The role_modem process, asked one line at a time."""

    def __init__(self, ns, ifname, log):
        self.proc = subprocess.Popen(ns.prefix() + [PYTHON, os.path.abspath(__file__),
                                                    '--role', 'modem', ifname],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log)
        if self.proc.stdout.readline().strip() != b'ready':
            raise BenchError('the TUN reader did not start; see %s' % log.name)

    def ask(self, command):
        try:
            self.proc.stdin.write((command + '\n').encode())
            self.proc.stdin.flush()
            fields = self.proc.stdout.readline().split()
        except BrokenPipeError:
            fields = []
        if len(fields) != 6:
            raise BenchError('the TUN reader stopped answering (%s)' % exit_text(self.proc))
        rx, tx = int(fields[0]), int(fields[1])
        first, crossed, last, now = (float(x) for x in fields[2:])
        return {'rx': rx, 'tx': tx, 'bytes': rx + tx, 'first': first if first >= 0 else None,
                'crossed': crossed if crossed >= 0 else None,
                'last': last if last >= 0 else None, 'now': now}

    def stop(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
            except BrokenPipeError:
                pass
        processes.stop(self.proc, 10)


class Run:
    """One measurement: a fresh namespace, bus, mocks and daemon."""

    def __init__(self, cfg, build, mode, mbit, index, workdir):
        self.cfg = cfg
        self.mode = mode
        self.bits_per_s = mbit * 1e6
        self.byte_rate = self.bits_per_s / 8
        self.budget = int(round(self.byte_rate * cfg.reach_after_s))
        self.daemon_bin = os.path.join(build, 'plugin', 'simbudgetd')
        self.dir = os.path.join(workdir, '%d-%s-%dmbit' % (index, mode, mbit))
        os.makedirs(self.dir)
        self.ns_name = 'sbov-%d-%d' % (os.getpid(), index)
        self.ifname = data_ifname()
        self.procs = []
        self.logs = []
        self.ns = None
        self.modem = None
        self.sender = None
        self.daemon = None
        self.bus = None
        self.con = None
        # what happened, on the monotonic clock
        self.connected_at = None
        self.cut_at = None
        self.refreshes = []
        self.readings = []      # (time, UsedBytes) as the daemon published them
        self.end_reason = None
        self.reactivated_at = None
        self.loop = None
        self.failure = None

    # ---- set-up --------------------------------------------------------------

    def log(self, name):
        f = open(os.path.join(self.dir, name + '.log'), 'w')
        self.logs.append(f)
        return f

    def spawn(self, argv, name, **kw):
        proc = subprocess.Popen(argv, stdout=self.log(name), stderr=subprocess.STDOUT, **kw)
        self.procs.append(proc)
        return proc

    def start_bus(self):
        self.bus = PrivateBus('system', directory=self.dir)
        self.env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=self.bus.address, TZ='UTC')
        self.con = dbus.bus.BusConnection(self.bus.address)

    def start_mocks(self):
        mm = self.spawn(mocks.command(mocks.MM_TEMPLATE), 'mm', env=self.env)
        nm = self.spawn(mocks.command(mocks.NM_TEMPLATE), 'nm', env=self.env)
        for proc, name, what in ((mm, MM_BUS, 'ModemManager'), (nm, NM_BUS, 'NetworkManager')):
            if not waiting.name_owned(self.con, name, proc):
                raise BenchError('the %s mock did not take its name (%s); see %s'
                                 % (what, exit_text(proc), self.dir))
        self.mm = dbus.Interface(self.con.get_object(MM_BUS, MM_PATH), MM_MOCK_IFACE)
        self.nm = dbus.Interface(self.con.get_object(NM_BUS, NM_MOCK_PATH), DBUSMOCK_IFACE)

    def start_daemon(self):
        argv = [self.daemon_bin, '--verbose', '--state-dir', os.path.join(self.dir, 'state')]
        if self.mode != 'quota':
            argv.append('--no-quota')
        if self.mode != 'statistics':
            argv = self.ns.prefix() + argv
        self.daemon = self.spawn(argv, 'simbudgetd', env=self.env)
        if not waiting.name_owned(self.con, SB_BUS, self.daemon):
            self.check_daemon()
            raise BenchError('timed out waiting for simbudgetd')

    def check_daemon(self):
        if self.daemon.poll() is not None:
            raise BenchError('simbudgetd exited with %d; see %s' % (self.daemon.returncode, self.dir))

    def setup(self):
        self.ns = Namespace(self.ns_name)
        self.ns.create()
        self.modem = Modem(self.ns, self.ifname, self.log('modem'))
        self.ns.run('ip', 'addr', 'add', LOCAL_ADDR, 'peer', PEER_ADDR, 'dev', self.ifname)
        # a network device's usual queue (a TUN has 500): room for the
        # sender's bursts while the reader waits for a CPU
        self.ns.run('ip', 'link', 'set', self.ifname, 'txqueuelen', '1000', 'up')
        if self.mode == 'statistics' and os.path.exists('/sys/class/net/' + self.ifname):
            raise BenchError('%s exists outside the namespace' % self.ifname)
        self.start_bus()
        self.start_mocks()
        self.start_daemon()

    def connect(self):
        """The modem registers, ModemManager connects its bearer,
        NetworkManager activates the connection holding the budget."""
        modem = self.mm.AddModem('bench', ICCID, '', dbus.UInt32(ESIM), 'Bench', '350000000000001')
        dev = self.nm.AddModemDevice('modem0', modem, 'cdc-wdm0', self.ifname, dbus.UInt32(30))
        conn = self.nm.AddGsmConnection('bench', str(uuid.uuid4()), ICCID,
                                        dbus.Dictionary({'simbudget.limit': str(self.budget)},
                                                        signature='ss'), False)
        self.bearer = self.mm.AddBearer(modem, self.ifname, True)
        self.mm.ConnectBearer(self.bearer, self.ifname)
        self.connected_at = time.monotonic()
        self.ac = self.nm.ActivateGsmConnection(conn, dev, self.ifname)
        self.con.add_signal_receiver(self.guard(self.on_ac_state), signal_name='StateChanged',
                                     dbus_interface=NM_AC_IFACE, path=self.ac)
        # a connection active again after the cut: the budget no longer holds
        self.con.add_signal_receiver(self.guard(self.on_nm_changed), signal_name='PropertiesChanged',
                                     dbus_interface=dbus.PROPERTIES_IFACE,
                                     path='/org/freedesktop/NetworkManager',
                                     arg0='org.freedesktop.NetworkManager')
        self.profile_path = profile_path(ICCID)
        self.con.add_signal_receiver(self.on_profile_changed, signal_name='PropertiesChanged',
                                     dbus_interface=dbus.PROPERTIES_IFACE, path=self.profile_path,
                                     arg0=SB_PROFILE_IFACE)
        enforcement = 'disconnect+quota' if self.mode == 'quota' else 'disconnect'

        def ready():
            self.check_daemon()
            try:
                p = self.con.get_object(SB_BUS, self.profile_path).GetAll(
                    SB_PROFILE_IFACE, dbus_interface=dbus.PROPERTIES_IFACE)
            except dbus.exceptions.DBusException:
                return False
            return (int(p['Limit']) == self.budget and bool(p['Active']) and
                    str(p['Enforcement']) == enforcement)
        wait_for(ready, 'simbudgetd to enforce the budget (%s)' % enforcement)
        if self.mode == 'quota':
            state = self.con.get_object(SB_BUS, SB_PATH).Get(SB_IFACE, 'QuotaState',
                                                              dbus_interface=dbus.PROPERTIES_IFACE)
            if str(state) != 'quota':
                raise BenchError('no kernel quota: %s' % state)

    # ---- D-Bus events ------------------------------------------------------------

    def on_ac_state(self, state, _reason):
        if int(state) < NM_AC_DEACTIVATING or self.cut_at is not None:
            return
        # NetworkManager asks ModemManager to disconnect: the interface goes down
        self.cut_at = self.modem.ask('down')['now']
        self.mm.DisconnectBearer(self.bearer)

    def on_nm_changed(self, _iface, changed, _invalidated):
        if self.cut_at is not None and self.reactivated_at is None and \
                len(changed.get('ActiveConnections', [])) > 0:
            self.reactivated_at = time.monotonic()

    def on_profile_changed(self, _iface, changed, _invalidated):
        if 'UsedBytes' in changed:
            self.readings.append((time.monotonic(), int(changed['UsedBytes'])))

    # ---- the measurement -----------------------------------------------------------

    def refresh(self):
        """ModemManager's refresh: the interface's counters since the
        bearer connected, as the modem reports them."""
        st = self.modem.ask('stats')
        self.refreshes.append(st['now'])
        # ModemManager ignores a counter that did not grow, 0 included
        self.mm.SetBearerStats(self.bearer, dbus.UInt64(st['rx'] - self.base_rx),
                               dbus.UInt64(st['tx'] - self.base_tx))
        self.schedule_refresh()
        return False

    def schedule_refresh(self):
        n = len(self.refreshes) + 1
        due = self.connected_at + n * self.cfg.cadence_s
        GLib.timeout_add(max(0, int((due - time.monotonic()) * 1000)), self.guard(self.refresh))

    def tick(self):
        now = time.monotonic()
        if self.cut_at is not None:
            if now >= self.cut_at + self.cfg.settle_s:
                return self.finish('cut')
            return True
        if self.sender.poll() is not None:
            raise BenchError('the sender stopped early (%s)' % exit_text(self.sender))
        st = self.modem.ask('stats')
        if st['last'] is not None and st['now'] - st['last'] > self.cfg.stall_s:
            if not self.quota_holds():
                raise BenchError('the traffic stalled %.1f s after %d bytes with no quota holding it'
                                 % (st['now'] - st['last'], st['bytes'] - self.base))
            return self.finish('stalled')
        if st['crossed'] is not None and st['now'] - st['crossed'] > self.cfg.cap_s:
            return self.finish('cap')
        if now > self.deadline:
            return self.finish('never reached')
        self.check_daemon()
        return True

    def quota_holds(self):
        """A simbudget quota in the namespace has refused a packet."""
        if self.mode != 'quota':
            return False
        listing = self.ns.run('nft', 'list', 'quotas')
        for m in re.finditer(r'over (\d+) (\w+) used (\d+) (\w+)', listing):
            limit = int(m.group(1)) * NFT_UNITS[m.group(2)]
            used = int(m.group(3)) * NFT_UNITS[m.group(4)]
            if used >= limit:
                return True
        return False

    def finish(self, reason):
        self.end_reason = reason
        self.loop.quit()
        return False

    def measure(self):
        st = self.modem.ask('arm %d' % self.budget)
        self.base = st['bytes']
        self.base_rx, self.base_tx = st['rx'], st['tx']
        sender_limit = REACH_AFTER_REFRESHES * 3 * self.cfg.cadence_s + self.cfg.cap_s
        self.deadline = time.monotonic() + sender_limit
        self.sender = self.spawn(self.ns.prefix() + [PYTHON, os.path.abspath(__file__), '--role',
                                                     'sender', PEER_ADDR, str(self.bits_per_s),
                                                     str(sender_limit)], 'sender')
        self.schedule_refresh()
        GLib.timeout_add(50, self.guard(self.tick))
        self.loop = GLib.MainLoop()
        Interrupt.loop = self.loop
        try:
            self.loop.run()
        finally:
            Interrupt.loop = None
        if Interrupt.hit:
            raise KeyboardInterrupt
        if self.failure is not None:
            raise self.failure
        processes.stop(self.sender, 10)
        time.sleep(0.05)
        self.final = self.modem.ask('stats')
        self.check_daemon()

    def guard(self, callback):
        """A failure inside the main loop ends the run instead of being
        printed and forgotten."""
        def wrapped(*args):
            try:
                return callback(*args)
            except Exception as e:  # noqa: BLE001 (re-raised after the loop)
                self.failure = e
                if self.loop is not None:
                    self.loop.quit()
                return False
        return wrapped

    # ---- results -----------------------------------------------------------------

    def carried(self):
        return self.final['bytes'] - self.base

    def overshoot(self):
        return max(0, self.carried() - self.budget)

    def last_poll_bytes(self):
        """The traffic of the polling interval that caught the budget: the
        step from the daemon's published reading before the one that
        reached the budget to that one. Read from the figures themselves,
        not from when they arrived, which load can delay. Without such a
        reading, the last step before the cut."""
        used = [u for _, u in self.readings]
        caught = [i for i, u in enumerate(used) if u >= self.budget]
        if caught:
            used = used[:caught[0] + 1]
        elif self.cut_at is not None:
            used = [u for t, u in self.readings if t <= self.cut_at]
        if len(used) < 2:
            return None
        return used[-1] - used[-2]

    def summary(self):
        f = self.final
        notes = ['budget %s' % fmt_size(self.budget)]
        goal = met = None
        over = self.overshoot()
        if self.mode == 'quota':
            goal = '≤ 64 KiB'
            met = over <= QUOTA_GOAL
        elif self.mode == 'polling':
            allowed = self.last_poll_bytes()
            if allowed is not None:
                goal = '≤ one polling interval of traffic, %d bytes (%.0f ms)' % (
                    allowed, allowed / self.byte_rate * 1000)
                met = over <= allowed
            else:
                goal = '≤ one polling interval of traffic, no polling seen'
                met = False
        if f['first'] is not None and f['last'] is not None and f['last'] > f['first']:
            notes.append('carried %.1f Mbit/s' % (self.carried() * 8 / (f['last'] - f['first']) / 1e6))
        if self.carried() < self.budget:
            notes.append('stopped %d bytes short of the budget' % (self.budget - self.carried()))
        if self.cut_at is not None:
            if f['crossed'] is not None:
                notes.append('cut %.3f s after the budget was reached' % (self.cut_at - f['crossed']))
            else:
                notes.append('cut before the budget was reached')
            if self.reactivated_at is not None:
                notes.append('simbudgetd re-activated the connection %.3f s after the cut'
                             % (self.reactivated_at - self.cut_at))
            if self.mode == 'statistics':
                after = [t for t in self.refreshes if f['crossed'] is not None and t >= f['crossed']]
                if after:
                    notes.append('first ModemManager refresh past it %.1f s after' % (after[0] - f['crossed']))
        elif self.end_reason == 'stalled':
            notes.append('the kernel holds the traffic, the connection stays up')
        elif self.end_reason == 'cap':
            notes.append('not cut %.0f s after the budget was reached' % self.cfg.cap_s)
        else:
            notes.append('the traffic never reached the budget')
        return over, goal, met, notes

    def write_timeline(self):
        """Everything seen, in seconds since the bearer connected: kept
        with the logs (SB_BENCH_KEEP=1) to see why a figure is what it is."""
        t0 = self.connected_at or 0.0
        events = [(t, 'ModemManager refresh') for t in self.refreshes]
        events += [(t, 'UsedBytes %d' % used) for t, used in self.readings]
        final = getattr(self, 'final', None) or {}
        for key, what in (('first', 'first packet'), ('crossed', 'budget reached')):
            if final.get(key) is not None:
                events.append((final[key], what))
        if self.cut_at is not None:
            events.append((self.cut_at, 'NetworkManager deactivating: interface down'))
        if self.reactivated_at is not None:
            events.append((self.reactivated_at, 'connection active again'))
        with open(os.path.join(self.dir, 'timeline.txt'), 'w') as f:
            f.write('budget %d bytes\n' % self.budget)
            for t, what in sorted(events):
                f.write('%10.3f %s\n' % (t - t0, what))

    def teardown(self):
        self.write_timeline()
        processes.stop(self.sender, 10)
        processes.stop(self.daemon, 20)
        for proc in self.procs:
            processes.stop(proc, 10)
        if self.modem is not None:
            self.modem.stop()
        if self.con is not None:
            self.con.close()
        if self.bus is not None:
            self.bus.stop()
        if self.ns is not None:
            self.ns.delete()
        for f in self.logs:
            f.close()
        self.daemon_problems()

    def daemon_problems(self):
        path = os.path.join(self.dir, 'simbudgetd.log')
        if not os.path.exists(path):
            return
        with open(path, errors='replace') as f:
            bad = [line.rstrip() for line in f if 'WARNING' in line or 'CRITICAL' in line]
        for line in bad[:5]:
            note('simbudgetd (%s): %s' % (self.mode, line))


def data_ifname():
    """A name for the data interface that the host does not have, so the
    daemon outside the namespace cannot find it."""
    for i in range(100):
        name = 'wwsb%d' % ((os.getpid() + i) % 100000)
        if not os.path.exists('/sys/class/net/' + name):
            return name
    raise BenchError('no free interface name')


def fmt_size(nbytes):
    if nbytes % MB == 0:
        return '%d MB' % (nbytes // MB)
    return '%.2f MB' % (nbytes / MB)


def machine():
    with open('/proc/loadavg') as f:
        load = f.read().split()[0]
    return '%s, load %s' % (machine_info.describe(), load)


def figure(name, value, unit, goal=None, met=None, notes=()):
    text = '%s: %s %s' % (name, value, unit)
    extra = []
    if goal:
        extra.append('goal ' + goal + ('' if met is None else ', met' if met else ', MISSED'))
    extra += list(notes)
    if extra:
        text += ' (%s)' % '; '.join(extra)
    print(text, flush=True)


class Config:
    def __init__(self, tiny, cadence):
        self.cadence_s = cadence or (1.0 if tiny else MM_REFRESH_S)
        self.reach_after_s = REACH_AFTER_REFRESHES * self.cadence_s
        self.cap_s = min(40.0, 4 * self.cadence_s)
        self.stall_s = min(2.0, self.cadence_s / 2)
        self.settle_s = 0.2


def preflight(build):
    if os.geteuid() != 0:
        raise BenchError('needs root: network namespaces, a TUN device, nftables')
    for tool in ('ip', 'nft', 'dbus-daemon'):
        if shutil.which(tool) is None:
            raise BenchError('%s is missing' % tool)
    daemon = os.path.join(build, 'plugin', 'simbudgetd')
    if not os.access(daemon, os.X_OK):
        raise BenchError('%s is missing: build first (tools/test, or ninja -C %s)' % (daemon, build))


def main():
    parser = argparse.ArgumentParser(description='Bytes past the budget, per cut-off mode and rate.')
    parser.add_argument('--tiny', action='store_true',
                        help='a 1 s statistics refresh and small budgets (for the test)')
    parser.add_argument('--cadence', type=float, default=None,
                        help='seconds between statistics refreshes (default 30, ModemManager\'s)')
    parser.add_argument('--role', nargs='+', help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.role:
        if args.role[0] == 'modem':
            role_modem(args.role[1])
        elif args.role[0] == 'sender':
            role_sender(args.role[1], float(args.role[2]), float(args.role[3]))
        return 0

    dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    cfg = Config(args.tiny, args.cadence)
    build = os.environ.get('SB_BUILD') or 'build'
    if not os.path.isabs(build):
        build = os.path.join(ROOT, build)
    try:
        preflight(build)
    except BenchError as e:
        note(str(e))
        return 1

    print('set-up: a TUN data interface in a network namespace (IP bytes, no link layer); '
          'uplink UDP, %d-byte datagrams (%d IP bytes); ModemManager refresh every %g s; '
          'budget reached %.1f refreshes after connecting' % (PAYLOAD, PACKET, cfg.cadence_s,
                                                               REACH_AFTER_REFRESHES), flush=True)
    workdir = tempfile.mkdtemp(prefix='sb-overshoot-')
    results = {}
    status = 0
    index = 0
    try:
        for mbit, rate_key in RATES:
            for mode, mode_name in MODES:
                run = Run(cfg, build, mode, mbit, index, workdir)
                index += 1
                try:
                    run.setup()
                    run.connect()
                    run.measure()
                    over, goal, met, notes = run.summary()
                finally:
                    run.teardown()
                results[(mode, rate_key)] = over
                figure('overshoot, %s, %d Mbit/s' % (mode_name, mbit), over, 'bytes', goal, met, notes)
    except (BenchError, dbus.exceptions.DBusException, OSError, subprocess.SubprocessError) as e:
        note('%s (logs in %s)' % (e, workdir))
        os.environ['SB_BENCH_KEEP'] = '1'
        status = 1
    except KeyboardInterrupt:
        note('interrupted')
        status = 130
    finally:
        if os.environ.get('SB_BENCH_KEEP'):
            note('kept %s' % workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    if status:
        return status
    print('machine: %s' % machine())
    print('overshoot-quota-100mbit: %d bytes' % results[('quota', '100mbit')], flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
