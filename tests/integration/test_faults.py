#!/usr/bin/python3
"""Faults, each with exact byte totals afterwards: the daemon killed at
random points, ModemManager and NetworkManager going away and coming back,
modem resets, eSIM switches, the wall clock and the time zone moving,
suspend and resume, and a kill in the middle of a database write."""

import datetime
import os
import random
import shutil
import signal
import sqlite3
import time
import unittest
import zoneinfo

import dbus

import sbtest
from sbtest import ESIM, NetNS, SbTestCase

ICCID = '8981100022233344455'
HOME = '8949000011112222333'
EID = '89049032000001000000012345678901'
UUID = '5b9a5a0e-0d4b-4c5e-9a55-6c1b2a3f4d01'
AC_ACTIVATED = 2
DAY = 86400

LOGIND_BUS = 'org.freedesktop.login1'
LOGIND_PATH = '/org/freedesktop/login1'
LOGIND_IFACE = 'org.freedesktop.login1.Manager'
LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1'


def db_snapshot(db_path, into):
    """Copies the database (and its WAL) aside and opens the copy: checking
    it leaves the daemon's own files as the kill left them."""
    os.makedirs(into, exist_ok=True)
    copy = os.path.join(into, 'copy.db')
    for suffix in ('', '-wal'):
        if os.path.exists(db_path + suffix):
            shutil.copyfile(db_path + suffix, copy + suffix)
    return sqlite3.connect(copy)


def u64(v):
    """The store keeps guint64 bit-cast in SQLite's signed INTEGER."""
    return v + 2**64 if v < 0 else v


class Line:
    """One bearer as ModemManager counts it: the session counters it
    publishes and every byte it ever carried (its totals)."""

    def __init__(self, test, bearer, iface='wwan0'):
        self.test = test
        self.bearer = bearer
        self.iface = iface
        self.rx = self.tx = 0            # this session
        self.all_rx = self.all_tx = 0    # all sessions
        self.start = int(time.time()) - 100000

    def connect(self):
        # start-date tells sessions apart: never two in the same second
        self.start += 1
        self.test.mm.ConnectBearerAt(self.bearer, self.iface, dbus.UInt64(self.start))
        self.rx = self.tx = 0

    def reconnect(self):
        self.test.mm.DisconnectBearer(self.bearer)
        self.connect()

    def traffic(self, rx, tx):
        self.rx += rx
        self.tx += tx
        self.all_rx += rx
        self.all_tx += tx
        self.test.stats(self.bearer, self.rx, self.tx)


class Faults(SbTestCase):

    # ---- helpers ----------------------------------------------------------

    def start_logind(self):
        _, obj = self._spawn_template('logind', {}, 'logind')
        self.logind = dbus.Interface(obj, LOGIND_IFACE)
        self.logind_mock = dbus.Interface(obj, 'org.freedesktop.DBus.Mock')

    def sleep_inhibitors(self):
        return [(str(what), str(mode)) for what, who, why, mode, uid, pid in self.logind.ListInhibitors()
                if 'sleep' in str(what).split(':')]

    def prepare_for_sleep(self, going):
        self.logind_mock.EmitSignal(LOGIND_IFACE, 'PrepareForSleep', 'b', [dbus.Boolean(going)])

    def db(self):
        return os.path.join(self.state_dir, 'simbudget.db')

    def check_database(self, where, key=ICCID):
        """The database a kill left behind is sound and each flush landed
        whole: the buckets add up to the profile's totals."""
        con = db_snapshot(self.db(), os.path.join(self.workdir, where))
        self.assertEqual(con.execute('PRAGMA integrity_check').fetchone()[0], 'ok')
        rows = con.execute('SELECT rx, tx FROM buckets WHERE iccid = ?', (key,)).fetchall()
        prof = con.execute('SELECT total_rx, total_tx FROM profiles WHERE iccid = ?', (key,)).fetchone()
        snaps = con.execute('SELECT rx, tx FROM snapshots WHERE iccid = ?', (key,)).fetchall()
        con.close()
        brx = sum(u64(r[0]) for r in rows)
        btx = sum(u64(r[1]) for r in rows)
        if prof is None:
            self.assertEqual((brx, btx), (0, 0))
            return 0, 0, None
        self.assertEqual((brx, btx), (u64(prof[0]), u64(prof[1])), 'buckets and totals disagree')
        return brx, btx, snaps

    def setup_nm_line(self, user_data, env=None):
        self.start_nm()
        self.modem = self.add_modem(ICCID, EID, ESIM, 'Japan Travel')
        self.dev = self.nm.AddModemDevice('wwan0dev', self.modem, 'cdc-wdm0', 'wwan0', dbus.UInt32(30))
        self.conn = self.nm.AddGsmConnection('travel-jp', UUID, ICCID,
                                             dbus.Dictionary(user_data, signature='ss'), True)
        self.start_daemon(env=env)
        self.line = Line(self, self.mm.AddBearer(self.modem, 'wwan0', True))
        self.line.connect()
        self.nm.ActivateGsmConnection(self.conn, self.dev, 'wwan0')

    def wait_state(self, state, key=ICCID):
        self.assert_eventually(lambda: self.prop(key, 'State') == state,
                               'state never became %s (is %s)' % (state, self.prop(key, 'State')))

    def wait_cut(self):
        self.assert_eventually(lambda: UUID not in self.nm_active(), 'connection not taken down')
        self.assert_eventually(lambda: not self.device_autoconnect(self.dev), 'autoconnect not blocked')
        self.mm.DisconnectBearer(self.line.bearer)

    # ---- the daemon killed --------------------------------------------------

    def test_sigkill_at_seeded_random_points(self):
        """24 kills: right after a reading was sent (the daemon busy with
        it), after it was counted (before the write), or a random moment
        later (around the write); traffic and reconnects go on while it is
        down. ModemManager's counters and totals let every byte be counted
        exactly once."""
        rng = random.Random(0x51b6e7)
        self.start_daemon()
        modem = self.add_modem(ICCID, EID)
        line = Line(self, self.mm.AddBearer(modem, 'wwan0', True))
        line.connect()

        def step():
            if rng.random() < 0.15:
                line.reconnect()
            line.traffic(rng.randrange(1, 3_000_000), rng.randrange(1, 300_000))

        points = []
        for _ in range(24):
            for _ in range(rng.randrange(1, 6)):
                step()
            point = rng.choice(('sent', 'counted', 'later'))
            points.append(point)
            if point == 'counted':
                self.wait_used(ICCID, line.all_rx, line.all_tx)
            elif point == 'later':
                # the write is due a second after the reading: land around it
                time.sleep(rng.uniform(0.0, 1.5))
            self.stop_daemon(signal.SIGKILL)
            for _ in range(rng.randrange(0, 3)):
                step()
            self.start_daemon()
            self.wait_used(ICCID, line.all_rx, line.all_tx)
        self.assertEqual(int(self.prop(ICCID, 'TotalBytes')), line.all_rx + line.all_tx)
        self.assertEqual(len(set(points)), 3)
        self.restart_daemon()
        self.wait_used(ICCID, line.all_rx, line.all_tx)
        self.check_database('final')

    def test_kill_during_a_write_transaction(self):
        """Killed inside SQLite's writes (strace injects SIGKILL at the Nth
        pwrite64 or fdatasync): the database is sound, each batch is there
        whole or not at all, and a restart counts exactly."""
        if not shutil.which('strace'):
            self.skipTest('needs strace')
        rng = random.Random(0xdb)
        self.start_daemon()
        modem = self.add_modem(ICCID, EID)
        line = Line(self, self.mm.AddBearer(modem, 'wwan0', True))
        line.connect()
        line.traffic(5000, 500)
        self.wait_used(ICCID, 5000, 500)
        self.stop_daemon()
        for round_ in range(5):
            # at start SQLite sizes its -shm with 8 one-byte pwrite64s; then
            # each write transaction is WAL frames (pwrite64) and a fdatasync
            call = rng.choice(('pwrite64', 'pwrite64', 'fdatasync'))
            nth = rng.randrange(9, 28) if call == 'pwrite64' else rng.randrange(1, 5)
            self.wrap_daemon(['strace', '-f', '-qq', '-o', '/dev/null', '-e', 'trace=' + call,
                              '-e', 'inject=%s:signal=SIGKILL:when=%d' % (call, nth)])
            self.start_daemon()
            deadline = time.monotonic() + 15
            while self.daemon.poll() is None:
                self.assertLess(time.monotonic(), deadline, '%s #%d never came' % (call, nth))
                line.traffic(rng.randrange(1, 100_000), rng.randrange(1, 10_000))
                self.assert_eventually(lambda: self.daemon.poll() is not None or
                                       self.prop(ICCID, 'RxBytes') == line.all_rx, timeout=5)
                time.sleep(0.3)
            self.assertEqual(self.daemon.returncode, -signal.SIGKILL, 'strace did not kill it')
            self.assert_eventually(lambda: not self.dbus_con.name_has_owner(sbtest.SB_BUS))
            rx, tx, snaps = self.check_database('round%d' % round_)
            # one session counted from its start: its last durable reading
            # is the profile's total, or the batch was torn
            self.assertEqual(len(snaps), 1)
            self.assertEqual((u64(snaps[0][0]), u64(snaps[0][1])), (rx, tx),
                             'snapshot and usage from different batches (%s #%d)' % (call, nth))
        self.wrap_daemon(None)
        self.start_daemon()
        self.wait_used(ICCID, line.all_rx, line.all_tx)

    # ---- ModemManager -------------------------------------------------------

    def test_modemmanager_vanishes_and_returns_with_new_paths(self):
        self.start_daemon()
        modem = self.add_modem(ICCID, EID)
        bearer = self.add_connected_bearer(modem)
        self.stats(bearer, 50000, 5000)
        self.wait_used(ICCID, 50000, 5000)
        # a last reading, then ModemManager is gone mid-session
        self.stats(bearer, 80000, 8000)
        self.stop_mm()
        self.assert_eventually(lambda: self.prop(ICCID, 'Active') == False)
        self.wait_used(ICCID, 80000, 8000)
        # what was counted when it vanished is already on disk
        self.stop_daemon(signal.SIGKILL)
        self.start_daemon()
        self.wait_used(ICCID, 80000, 8000)
        seen = {modem, bearer}
        rx, tx = 80000, 8000
        for first in (7, 19):
            self.start_mm({'FirstIndex': first})
            modem = self.add_modem(ICCID, EID)
            bearer = self.add_connected_bearer(modem)
            self.assertFalse({modem, bearer} & seen, 'object paths were reused')
            seen |= {modem, bearer}
            self.stats(bearer, 3000, 300)
            rx, tx = rx + 3000, tx + 300
            self.wait_used(ICCID, rx, tx)
            self.stop_mm()
            self.assert_eventually(lambda: self.prop(ICCID, 'Active') == False)
        self.restart_daemon()
        self.wait_used(ICCID, 86000, 8600)

    def test_modem_reset_counters_restart_lower_across_kills(self):
        self.start_daemon()
        modem = self.add_modem(ICCID, EID)
        bearer = self.add_connected_bearer(modem)
        start = int(time.time())

        def force(rx, tx):
            # a modem reset: counters restart, same session (start-date)
            self.mm.ForceBearerStats(bearer, dbus.UInt64(rx), dbus.UInt64(tx),
                                     dbus.UInt64(rx), dbus.UInt64(tx), dbus.UInt64(start))
        force(900_000, 9_000)
        self.wait_used(ICCID, 900_000, 9_000)
        self.wait_durable()
        self.stop_daemon(signal.SIGKILL)
        # the reset happens while the daemon is down
        force(1_000, 10)
        self.start_daemon()
        self.wait_used(ICCID, 901_000, 9_010)
        # and again live, then a kill before the write
        force(400, 4)
        self.wait_used(ICCID, 901_400, 9_014)
        force(2_400, 24)
        self.wait_used(ICCID, 903_400, 9_034)
        self.stop_daemon(signal.SIGKILL)
        self.start_daemon()
        self.wait_used(ICCID, 903_400, 9_034)
        force(2_500, 25)
        self.wait_used(ICCID, 903_500, 9_035)

    def test_esim_profile_switch_then_sigkill(self):
        """The eUICC switches profiles mid-session and the daemon is killed
        right after counting the new profile's first bytes: neither profile
        loses or gains a byte."""
        self.start_daemon()
        modem = self.add_modem(ICCID, EID)
        bearer = self.add_connected_bearer(modem)
        self.stats(bearer, 10000, 1000)
        self.wait_used(ICCID, 10000, 1000)
        self.wait_durable()
        self.mm.SetSim(modem, HOME, EID, dbus.UInt32(ESIM), 'Home')
        self.assert_eventually(lambda: self.props(HOME) is not None)
        self.assert_eventually(lambda: self.prop(ICCID, 'Active') == False)
        self.stats(bearer, 12500, 1250)
        self.wait_used(HOME, 2500, 250)
        self.stop_daemon(signal.SIGKILL)
        self.start_daemon()
        self.wait_used(ICCID, 10000, 1000)
        self.wait_used(HOME, 2500, 250)
        self.stats(bearer, 13000, 1300)
        self.wait_used(HOME, 3000, 300)
        self.wait_used(ICCID, 10000, 1000)

    # ---- NetworkManager -----------------------------------------------------

    def test_networkmanager_restarts_while_exhausted(self):
        """NetworkManager restarts while the budget is spent, and the daemon
        is killed and restarted while it is away: when NetworkManager is back,
        its autoconnect finds the device held, a manual activation is taken
        down again, and what little passed is counted."""
        self.setup_nm_line({'simbudget.limit': '10kB', 'simbudget.warn': 'none'})
        self.line.traffic(10000, 0)
        self.wait_state('exhausted')
        self.wait_cut()
        self.stop_nm()
        self.assert_eventually(lambda: self.prop(ICCID, 'Enforcement') == 'no-networkmanager')
        self.stop_daemon(signal.SIGKILL)
        self.start_daemon()
        self.wait_state('exhausted')
        self.assertEqual(self.prop(ICCID, 'Enforcement'), 'no-networkmanager')
        # NetworkManager is back: devices come with autoconnect on
        self.start_nm()
        self.dev = self.nm.AddModemDevice('wwan0dev', self.modem, 'cdc-wdm0', 'wwan0', dbus.UInt32(30))
        self.conn = self.nm.AddGsmConnection('travel-jp', UUID, ICCID,
                                             dbus.Dictionary({'simbudget.limit': '10kB',
                                                              'simbudget.warn': 'none'}, signature='ss'),
                                             True)
        self.assert_eventually(lambda: self.prop(ICCID, 'Enforcement') == 'disconnect')
        self.assert_eventually(lambda: not self.device_autoconnect(self.dev), 'autoconnect not held')
        self.assertEqual(str(self.nm.TriggerAutoconnect(self.dev)), '/')
        self.assertNotIn(UUID, self.nm_active())
        # someone brings it up by hand: a few bytes pass before the cut
        self.nm.ActivateGsmConnection(self.conn, self.dev, 'wwan0')
        self.line.connect()
        self.line.traffic(300, 30)
        self.wait_cut()
        self.assertEqual(str(self.nm.TriggerAutoconnect(self.dev)), '/')
        self.assert_eventually(lambda: self.prop(ICCID, 'UsedBytes') == 10330)
        self.wait_state('exhausted')

    # ---- the clock ----------------------------------------------------------

    @unittest.skipUnless(os.path.exists(LIBFAKETIME), 'needs libfaketime (Debian package faketime)')
    def test_wall_clock_jumps_a_day_forward_and_back(self):
        """libfaketime moves the daemon's wall clock while it runs (its
        timerfds are not told: the kernel's clock-set notification cannot be
        faked, so readings carry the new time here). A day forward opens the
        next daily period; back again, the period never goes back and
        usage never goes down; nothing is lost either way."""
        offset_file = os.path.join(self.workdir, 'faketime')
        with open(offset_file, 'w') as f:
            f.write('+0\n')
        env = {'LD_PRELOAD': LIBFAKETIME, 'FAKETIME_TIMESTAMP_FILE': offset_file,
               'FAKETIME_NO_CACHE': '1', 'FAKETIME_DONT_FAKE_MONOTONIC': '1'}

        def set_offset(seconds):
            with open(offset_file + '.new', 'w') as f:
                f.write('%+d\n' % seconds)
            os.rename(offset_file + '.new', offset_file)

        day0 = int(time.time()) // DAY * DAY
        if int(time.time()) - day0 > DAY - 120:
            self.skipTest('too close to midnight UTC')
        self.setup_nm_line({'simbudget.limit': '1GB', 'simbudget.period': 'daily',
                            'simbudget.timezone': 'UTC'}, env=env)
        self.line.traffic(1000, 100)
        self.wait_used(ICCID, 1000, 100)
        # the plan comes from NetworkManager, maybe after the first reading
        self.assert_eventually(lambda: self.prop(ICCID, 'Limit') == 10**9)
        self.assertEqual(self.prop(ICCID, 'PeriodStart'), day0)
        self.assertEqual(self.prop(ICCID, 'PeriodEnd'), day0 + DAY)

        set_offset(DAY)
        self.line.traffic(200, 20)
        self.wait_used(ICCID, 200, 20)
        self.assertEqual(self.prop(ICCID, 'PeriodStart'), day0 + DAY)
        self.assertEqual(self.prop(ICCID, 'PeriodEnd'), day0 + 2 * DAY)
        self.assertEqual(self.prop(ICCID, 'TotalBytes'), 1320)

        set_offset(0)
        self.line.traffic(30, 3)
        self.wait_used(ICCID, 230, 23)
        self.assertEqual(self.prop(ICCID, 'PeriodStart'), day0 + DAY, 'the period went back')
        self.assertEqual(self.prop(ICCID, 'PeriodEnd'), day0 + 2 * DAY, 'the period end went back')
        self.assertEqual(self.prop(ICCID, 'TotalBytes'), 1353)
        hist = self.profile(ICCID).GetHistory('day', day0, day0 + 2 * DAY)
        self.assertEqual(sum(int(r[1]) + int(r[2]) for r in hist), 1353)
        self.assertEqual([int(r[0]) for r in hist], [day0, day0 + DAY])

        # a restart with the clock still back keeps the later period
        self.restart_daemon()
        self.wait_used(ICCID, 230, 23)
        self.assert_eventually(lambda: self.prop(ICCID, 'Limit') == 10**9)
        self.assertEqual(self.prop(ICCID, 'PeriodStart'), day0 + DAY)
        self.assertEqual(self.prop(ICCID, 'PeriodEnd'), day0 + 2 * DAY, 'the period end went back')

    @unittest.skipUnless(sbtest.can_unshare_mount(), 'needs root and mount namespaces')
    def test_system_time_zone_changes(self):
        """The daemon runs without TZ, with an /etc of its own whose
        localtime the test replaces the way timedated does (a new symlink
        renamed over the old). A profile without a zone of its own follows:
        TimeZone and the monthly period move to the new zone; no byte is
        lost or counted twice."""
        realetc = os.path.join(self.workdir, 'realetc')
        os.mkdir(realetc)
        self.wrap_daemon(self.mount_ns_wrapper(
            'mount --bind /etc %s\n'
            'mount -t tmpfs sbetc /etc\n'
            'for f in %s/* %s/.[!.]*; do [ -e "$f" ] && ln -s "$f" /etc/; done\n'
            'rm -f /etc/localtime\n'
            'ln -s /usr/share/zoneinfo/Europe/Berlin /etc/localtime\n'
            'exec env -u TZ "$@"' % (realetc, realetc, realetc)))

        def month_start(zone):
            tz = zoneinfo.ZoneInfo(zone)
            local = datetime.datetime.fromtimestamp(time.time(), tz)
            return int(datetime.datetime(local.year, local.month, 1, tzinfo=tz).timestamp())

        self.start_daemon()
        modem = self.add_modem(ICCID, EID)
        bearer = self.add_connected_bearer(modem)
        self.stats(bearer, 7000, 700)
        self.wait_used(ICCID, 7000, 700)
        self.assertEqual(self.prop(ICCID, 'TimeZone'), 'Europe/Berlin')
        self.assertEqual(self.prop(ICCID, 'PeriodStart'), month_start('Europe/Berlin'))

        self.in_daemon_ns('sh', '-c', 'ln -s /usr/share/zoneinfo/Asia/Tokyo /etc/.localtime.new && '
                          'mv -T /etc/.localtime.new /etc/localtime')
        self.assert_eventually(lambda: self.prop(ICCID, 'TimeZone') == 'Asia/Tokyo',
                               'TimeZone stayed %s' % self.prop(ICCID, 'TimeZone'))
        self.assertEqual(self.prop(ICCID, 'PeriodStart'), month_start('Asia/Tokyo'))
        self.assertEqual(self.prop(ICCID, 'UsedBytes'), 7700)
        self.stats(bearer, 9000, 900)
        self.wait_used(ICCID, 9000, 900)
        self.assertEqual(self.prop(ICCID, 'TotalBytes'), 9900)

    # ---- suspend and resume -------------------------------------------------

    def test_suspend_and_resume_across_a_period_boundary(self):
        """The daemon holds a logind "delay" inhibitor for sleep. On
        PrepareForSleep(true) it takes a last reading, writes it and only
        then releases the inhibitor; on PrepareForSleep(false) it takes the
        inhibitor again and re-checks periods. The second sleep spans the
        end of a daily period: the new period lifts the cut-off."""
        self.start_logind()
        boundary = (int(time.time()) // DAY + 1) * DAY
        offset = boundary - 8 - int(time.time())
        self.setup_nm_line({'simbudget.limit': '10kB', 'simbudget.period': 'daily',
                            'simbudget.timezone': 'UTC', 'simbudget.warn': 'none'},
                           env={'SIMBUDGET_TIME_OFFSET': str(offset)})
        self.assert_eventually(lambda: self.prop(ICCID, 'PeriodEnd') == boundary)
        self.assert_eventually(lambda: ('sleep', 'delay') in self.sleep_inhibitors(),
                               'no delay inhibitor for sleep: %s' % self.logind.ListInhibitors(), timeout=5)

        def on_disk():
            con = sqlite3.connect('file:%s?mode=ro' % self.db(), uri=True)
            row = con.execute('SELECT period_rx, period_tx FROM profiles WHERE iccid = ?',
                              (ICCID,)).fetchone()
            con.close()
            return tuple(u64(v) for v in row) if row else None

        # a reading, and at once the machine prepares to sleep: the reading
        # is on disk when the inhibitor goes, not a second later
        self.line.traffic(4000, 40)
        self.prepare_for_sleep(True)
        self.assert_eventually(lambda: self.sleep_inhibitors() == [], 'inhibitor not released', timeout=5)
        self.assertEqual(on_disk(), (4000, 40))
        self.prepare_for_sleep(False)
        self.assert_eventually(lambda: ('sleep', 'delay') in self.sleep_inhibitors(),
                               'inhibitor not taken again after resume', timeout=5)

        self.line.traffic(6000, 0)
        self.wait_state('exhausted')
        self.wait_cut()
        self.prepare_for_sleep(True)
        self.assert_eventually(lambda: self.sleep_inhibitors() == [], 'inhibitor not released', timeout=5)
        # asleep: nothing of the daemon runs while the period ends
        self.daemon.send_signal(signal.SIGSTOP)
        self.addCleanup(lambda: self.daemon.poll() is None and self.daemon.send_signal(signal.SIGCONT))
        while int(time.time()) + offset < boundary + 1:
            time.sleep(0.2)
        self.daemon.send_signal(signal.SIGCONT)
        self.prepare_for_sleep(False)
        self.assert_eventually(lambda: self.prop(ICCID, 'PeriodStart') == boundary)
        self.assertEqual(self.prop(ICCID, 'UsedBytes'), 0)
        self.wait_state('ok')
        self.assert_eventually(lambda: self.nm_active().get(UUID) == AC_ACTIVATED, 'line not brought back')
        self.assert_eventually(lambda: ('sleep', 'delay') in self.sleep_inhibitors(),
                               'inhibitor not taken again after resume', timeout=5)
        self.assertEqual(self.prop(ICCID, 'TotalBytes'), 10040)

    @unittest.skipUnless(sbtest.can_use_netns(), 'needs root and network namespaces')
    def test_last_kernel_reading_before_sleep_and_before_objects_go(self):
        """A bearer without statistics is counted from its interface's
        kernel counters: PrepareForSleep(true) reads them before the
        inhibitor is released, and a modem that vanishes is read before its
        objects go."""
        self.netns = NetNS(self)
        self.netns.add_data_link()
        self.start_logind()
        self.start_daemon()
        modem = self.add_modem(ICCID, EID)
        bearer = self.mm.AddBearer(modem, 'sbdata0', False)
        self.mm.ConnectBearer(bearer, 'sbdata0')
        self.assert_eventually(lambda: self.prop(ICCID, 'Active') == True)
        self.assert_eventually(lambda: ('sleep', 'delay') in self.sleep_inhibitors(),
                               'no delay inhibitor for sleep', timeout=5)
        self.netns.send_udp('10.77.0.2', 9, 1000, 30)
        rx, tx = self.netns.counters('sbdata0')
        self.assertGreater(tx, 30 * 1000)
        # no statistics refresh from ModemManager: only the sleep makes a reading
        self.prepare_for_sleep(True)
        self.assert_eventually(lambda: self.sleep_inhibitors() == [], 'inhibitor not released', timeout=5)
        self.wait_used(ICCID, rx, tx, timeout=2)
        self.prepare_for_sleep(False)
        self.netns.send_udp('10.77.0.2', 9, 700, 10)
        rx, tx = self.netns.counters('sbdata0')
        self.mm.RemoveModem(modem)
        self.wait_used(ICCID, rx, tx)
        self.assertFalse(self.prop(ICCID, 'Active'))


if __name__ == '__main__':
    sbtest.main()
