#!/usr/bin/python3
"""Abuse of the D-Bus API: every method with wrong types, empty and huge
strings, extreme integers, unknown paths and interfaces, read-only
properties, callers polkit refuses, and the bus policy of the system bus
for callers other than root. Each call must get the right error, quickly,
and the daemon must go on counting exactly."""

import os
import re
import shutil
import subprocess
import time
import xml.etree.ElementTree as ET

import dbus

import sbtest
from sbtest import ESIM, SbTestCase
# tests/lib, on the path sbtest sets
import privatebus
import processes

ICCID = '8981100022233344455'
UUID = '5b9a5a0e-0d4b-4c5e-9a55-6c1b2a3f4d01'
INVALID_ARGS = 'org.simbudget.SimBudget1.Error.InvalidArgs'
NOT_AUTHORIZED = 'org.simbudget.SimBudget1.Error.NotAuthorized'
DBUS_INVALID_ARGS = 'org.freedesktop.DBus.Error.InvalidArgs'
UNKNOWN = ('org.freedesktop.DBus.Error.UnknownObject',
           'org.freedesktop.DBus.Error.UnknownMethod',
           'org.freedesktop.DBus.Error.UnknownInterface')
READ_ONLY = ('org.freedesktop.DBus.Error.PropertyReadOnly', DBUS_INVALID_ARGS)
UNKNOWN_PROPERTY = ('org.freedesktop.DBus.Error.UnknownProperty', DBUS_INVALID_ARGS)
INT64_MIN = -2**63
INT64_MAX = 2**63 - 1
UINT64_MAX = 2**64 - 1
MAX_PLAUSIBLE_USAGE = 10**18
MAX_HISTORY_ROWS = 20000
WEEK = 7 * 86400
MIB = 1024 * 1024
# An answer slower than this is a daemon that blocked on something.
ANSWER_WITHIN = 2.0
# Error messages go to people: refusing a megabyte must not quote it.
MESSAGE_MAX = 400
SB_POLICY = os.path.join(os.path.dirname(os.path.dirname(sbtest.HERE)), 'data',
                         'org.simbudget.SimBudget1.conf')

# Values of the right type that a writer might try.
OTHER_VALUES = {'Version': dbus.String('9'), 'Limit': dbus.UInt64(1), 'UsedBytes': dbus.UInt64(0),
                'ExtraAllowance': dbus.UInt64(UINT64_MAX), 'State': dbus.String('ok'),
                'Thresholds': dbus.Array([dbus.UInt32(1)], signature='u'),
                'PeriodEnd': dbus.Int64(1), 'Active': dbus.Boolean(True)}


class AbuseCase(SbTestCase):
    """A daemon with one profile and traffic flowing; helpers that call and
    check the answer, counting the calls."""

    POLKIT_ALLOWED = ('org.simbudget.override', 'org.simbudget.manage')

    def setUp(self):
        super().setUp()
        self.calls = 0
        self.addCleanup(lambda: print('%s: %d abuse calls' % (self.id(), self.calls)))
        if self.POLKIT_ALLOWED is not None:
            self.start_polkit(self.POLKIT_ALLOWED)
        self.start_daemon()
        # valgrind (through SB_DAEMON_WRAPPER) runs the daemon some 30 times
        # slower, AddressSanitizer in a debug build a few times
        self.instrumented = bool(os.environ.get('SB_DAEMON_WRAPPER')) or self.daemon_sanitized()
        self.answer_within = ANSWER_WITHIN * (30 if self.instrumented else 1)
        self.modem = self.add_modem(ICCID, '', ESIM)
        self.bearer = self.add_connected_bearer(self.modem)
        self.rx, self.tx = 7000, 700
        self.stats(self.bearer, self.rx, self.tx)
        self.wait_used(ICCID, self.rx, self.tx)

    def daemon_sanitized(self):
        with open('/proc/%d/maps' % self.daemon.pid) as f:
            return any('libasan' in line or 'libubsan' in line for line in f)

    def assert_exact(self):
        """More traffic, counted to the byte: the daemon is alive and exact."""
        self.rx += 1234
        self.tx += 56
        self.stats(self.bearer, self.rx, self.tx)
        self.wait_used(ICCID, self.rx, self.tx)
        self.assertEqual(self.daemon.poll(), None, 'simbudgetd exited')

    def call(self, method, *args, **kw):
        """Calls and returns the reply, which must come within ANSWER_WITHIN."""
        self.calls += 1
        started = time.monotonic()
        try:
            return method(*args, **kw)
        finally:
            took = time.monotonic() - started
            self.assertLess(took, self.answer_within, 'answer took %.1f s' % took)

    def refused(self, names, method, *args, **kw):
        """Calls, expects a D-Bus error named one of @names; returns it."""
        if isinstance(names, str):
            names = (names,)
        with self.assertRaises(dbus.exceptions.DBusException) as cm:
            self.call(method, *args, **kw)
        err = cm.exception
        self.assertIn(err.get_dbus_name(), names, err.get_dbus_message())
        self.assertLess(len(err.get_dbus_message() or ''), MESSAGE_MAX)
        return err

    def manager(self):
        return dbus.Interface(self.dbus_con.get_object(sbtest.SB_BUS, sbtest.SB_PATH), sbtest.SB_IFACE)

    def history(self, gran, frm, to):
        rows = self.call(self.profile(ICCID).GetHistory, gran, dbus.Int64(frm), dbus.Int64(to))
        return [(int(a), int(b), int(c)) for a, b, c in rows]


class Methods(AbuseCase):

    def test_connection_event_strings(self):
        mgr = self.manager()
        accepted = [('', '', ''), ('up', UUID, 'wwan0'), ('pre-up', '', 'ppp0'),
                    ('a' * 64, 'b' * 64, 'c' * 64),
                    ('上り', 'ü' * 32, 'wwan0'),           # 64 bytes of UTF-8
                    ('down\x1b[2J', '\t', ' '),
                    ('\U0001F4F6', 'x', 'y')]
        for args in accepted:
            with self.subTest(args=[a[:10] for a in args]):
                self.call(mgr.ConnectionEvent, *args)
        too_long = [('a' * 65, '', ''), ('', 'ü' * 33, ''), ('', '', 'x' * 65),
                    ('x' * MIB, 'y' * MIB, 'z' * MIB), ('up', UUID, '上' * (8 * MIB // 3))]
        for args in too_long:
            with self.subTest(lengths=[len(a) for a in args]):
                self.refused(INVALID_ARGS, mgr.ConnectionEvent, *args)
        self.assert_exact()

    def test_get_history_extremes(self):
        now = int(time.time())
        for frm, to in [(INT64_MIN, INT64_MAX), (INT64_MIN, INT64_MIN), (INT64_MAX, INT64_MAX),
                        (0, INT64_MAX), (-1, 0), (-1, -1), (now, now - 1), (INT64_MAX, 0),
                        (0, 253402300801), (0, now)]:
            for gran in ('hour', 'day', 'week', 'month'):
                if (frm, to, gran) in ((0, now, 'day'), (0, now, 'week'), (0, now, 'month')):
                    continue  # within the row limit: answered below
                with self.subTest(gran=gran, frm=frm, to=to):
                    self.refused(INVALID_ARGS, self.profile(ICCID).GetHistory,
                                 gran, dbus.Int64(frm), dbus.Int64(to))
        # empty ranges
        self.assertEqual(self.history('hour', 0, 0), [])
        self.assertEqual(self.history('month', now, now), [])
        # the whole of history by month and week, and the last days of 9999
        rows = self.history('month', 0, now + 1)
        self.assertEqual(rows[0][0], 0)
        self.assertEqual((sum(r[1] for r in rows), sum(r[2] for r in rows)), (self.rx, self.tx))
        end = 253402300800          # 10000-01-01 UTC, the system zone here
        rows = self.history('day', end - 10 * 86400, end)
        self.assertEqual([r[0] for r in rows], [end - d * 86400 for d in range(10, 0, -1)])
        self.refused(INVALID_ARGS, self.profile(ICCID).GetHistory, 'day',
                     dbus.Int64(end - 86400), dbus.Int64(end + 1))
        # exactly the row limit, and one row more (weeks begin on Monday:
        # the first row of 1970 starts on 1969-12-29)
        first = -3 * 86400
        self.assertEqual(len(self.history('week', 0, first + MAX_HISTORY_ROWS * WEEK)),
                         MAX_HISTORY_ROWS)
        err = self.refused(INVALID_ARGS, self.profile(ICCID).GetHistory, 'week',
                           dbus.Int64(0), dbus.Int64(first + MAX_HISTORY_ROWS * WEEK + 1))
        self.assertIn('20000', err.get_dbus_message())
        self.assert_exact()

    def test_get_history_granularity_strings(self):
        now = int(time.time())
        self.assertEqual(len(self.history('HOUR', now - 3600, now)), 2 if now % 3600 else 1)
        self.assertEqual(len(self.history('Day', now - 1, now)), 1)
        for gran in ['', ' hour', 'hour ', 'hour\n', 'hours', 'h', '時間', 'hour\x01',
                     'x' * MIB, '月' * MIB]:
            with self.subTest(gran=gran[:8]):
                err = self.refused(INVALID_ARGS, self.profile(ICCID).GetHistory,
                                   gran, dbus.Int64(now - 10), dbus.Int64(now))
                self.assertIn(gran[:10], err.get_dbus_message())
        self.assert_exact()

    def test_override_saturates(self):
        p = self.profile(ICCID)

        def extra():
            return int(self.prop(ICCID, 'ExtraAllowance'))
        self.assertEqual(extra(), 0)
        self.call(p.Override, dbus.UInt64(1))
        self.assertEqual(extra(), 1)
        self.call(p.Override, dbus.UInt64(UINT64_MAX - 1))
        self.assertEqual(extra(), UINT64_MAX)
        for value in (UINT64_MAX, UINT64_MAX, UINT64_MAX, 1, 0, 2**63):
            self.call(p.Override, dbus.UInt64(value))
            self.assertEqual(extra(), UINT64_MAX)
        self.assert_exact()
        # kept across a restart, until the period ends
        self.restart_daemon()
        self.assertEqual(extra(), UINT64_MAX)
        self.assert_exact()

    def test_set_used_extremes(self):
        p = self.profile(ICCID)

        def used():
            return int(self.prop(ICCID, 'UsedBytes'))
        for value in (UINT64_MAX, 2**63, 2**63 - 1, MAX_PLAUSIBLE_USAGE + 1):
            with self.subTest(value=value):
                self.refused(INVALID_ARGS, p.SetUsed, dbus.UInt64(value))
        self.assertEqual(used(), self.rx + self.tx)
        self.call(p.SetUsed, dbus.UInt64(MAX_PLAUSIBLE_USAGE))
        self.assertEqual(used(), MAX_PLAUSIBLE_USAGE)
        before = self.rx + self.tx
        self.assert_exact()
        self.assertEqual(used(), MAX_PLAUSIBLE_USAGE + self.rx + self.tx - before)
        self.call(p.SetUsed, dbus.UInt64(0))
        self.assertEqual(used(), 0)
        before = self.rx + self.tx
        self.assert_exact()
        self.assertEqual(used(), self.rx + self.tx - before)
        # counted bytes are never rewritten by a correction
        self.assertEqual((int(self.prop(ICCID, 'RxBytes')), int(self.prop(ICCID, 'TxBytes'))),
                         (self.rx, self.tx))

    def test_set_used_after_absurd_counters(self):
        # A modem that reports more than 2^63 bytes (garbage, or -1 for
        # "unknown"): SetUsed is how a person repairs that. The correction
        # must neither overflow (UBSan watches in the sanitizer build) nor
        # turn a correction down into 2^64 - 1 bytes used.
        p = self.profile(ICCID)
        self.rx = 2**63 + 5
        self.stats(self.bearer, self.rx, self.tx)
        self.wait_used(ICCID, self.rx, self.tx)
        counted = self.rx + self.tx
        for value in (MAX_PLAUSIBLE_USAGE, 1000):
            self.call(p.SetUsed, dbus.UInt64(value))
            self.assertEqual(int(self.prop(ICCID, 'UsedBytes')), value)
        self.call(p.SetUsed, dbus.UInt64(0))
        self.assertLess(int(self.prop(ICCID, 'UsedBytes')), counted)
        self.assert_exact()

    def test_forget_repeated(self):
        p = self.profile(ICCID)
        now = int(time.time())
        for _ in range(3):
            self.call(p.Forget)
            self.assert_eventually(lambda: int(self.prop(ICCID, 'TotalBytes')) == 0)
            self.assertEqual(sum(r[1] + r[2] for r in self.history('day', now - 86400, now + 1)), 0)
        # counting goes on from where the modem is
        self.rx += 100
        self.stats(self.bearer, self.rx, self.tx)
        self.assert_eventually(lambda: int(self.prop(ICCID, 'TotalBytes')) == 100)
        rows = self.history('day', now - 86400, now + 1)
        self.assertEqual(sum(r[1] for r in rows), 100)

    def test_wrong_signatures(self):
        mgr = self.manager()
        p = self.profile(ICCID)
        wrong = [
            (mgr.ConnectionEvent, ('up', 'uuid'), 'ss'),
            (mgr.ConnectionEvent, (1, 2, 3), 'iii'),
            (mgr.ConnectionEvent, ('up', 'uuid', 'wwan0', 'extra'), 'ssss'),
            (mgr.ConnectionEvent, (), ''),
            (mgr.ConnectionEvent, (['up'], 'x', 'y'), 'asss'),
            (p.GetHistory, ('day', 'yesterday', 'today'), 'sss'),
            (p.GetHistory, ('day', 1, 2), 'sii'),
            (p.GetHistory, ('day', 1, 2), 'stt'),
            (p.GetHistory, ('day', 1, 2, 3), 'sxxx'),
            (p.GetHistory, (1, 2, 3), 'xxx'),
            (p.GetHistory, (), ''),
            (p.Override, ('5GB',), 's'),
            (p.Override, (5,), 'i'),
            (p.Override, (-1,), 'x'),
            (p.Override, (1, 2), 'tt'),
            (p.Override, (), ''),
            (p.Override, (dbus.UInt64(5, variant_level=1),), 'v'),
            (p.SetUsed, ('0',), 's'),
            (p.SetUsed, (0.5,), 'd'),
            (p.SetUsed, (), ''),
            (p.Forget, (1,), 'u'),
            (p.Forget, ('',), 's'),
        ]
        for i, (method, args, sig) in enumerate(wrong):
            with self.subTest(case=i, sig=sig):
                self.refused(DBUS_INVALID_ARGS, method, *args, signature=sig)
        self.assertEqual(int(self.prop(ICCID, 'ExtraAllowance')), 0)
        self.assert_exact()

    def test_unknown_paths_interfaces_methods(self):
        def on(path, iface, method, *args):
            obj = self.dbus_con.get_object(sbtest.SB_BUS, path)
            return self.refused(UNKNOWN, obj.get_dbus_method(method, iface), *args)
        prof = sbtest.profile_path(ICCID)
        for path in ['/', '/org', '/org/simbudget', sbtest.SB_PATH + '/Profile',
                     sbtest.SB_PATH + '/Profile/000', sbtest.SB_PATH + '/Profile/' + 'x' * 250,
                     prof + '/child', sbtest.profile_path(ICCID[:-1])]:
            with self.subTest(path=path[:60]):
                on(path, sbtest.SB_PROFILE_IFACE, 'GetHistory', 'day', dbus.Int64(0), dbus.Int64(1))
                on(path, sbtest.SB_PROFILE_IFACE, 'Forget')
        on(sbtest.SB_PATH, sbtest.SB_IFACE, 'Frobnicate')
        on(sbtest.SB_PATH, 'org.simbudget.SimBudget1.Nope', 'ConnectionEvent', 'up', '', '')
        on(sbtest.SB_PATH, sbtest.SB_PROFILE_IFACE, 'Forget')
        on(sbtest.SB_PATH, sbtest.SB_PROFILE_IFACE, 'Override', dbus.UInt64(0))
        on(prof, sbtest.SB_IFACE, 'ConnectionEvent', 'up', '', '')
        on(prof, sbtest.SB_PROFILE_IFACE, 'Delete')
        on(prof, 'org.freedesktop.DBus.ObjectManager', 'GetManagedObjects')
        # no such property, no such interface
        props = dbus.Interface(self.profile_obj(ICCID), dbus.PROPERTIES_IFACE)
        self.refused(UNKNOWN_PROPERTY, props.Get, sbtest.SB_PROFILE_IFACE, 'Nope')
        self.refused(UNKNOWN_PROPERTY, props.Get, sbtest.SB_PROFILE_IFACE, '')
        self.refused(UNKNOWN_PROPERTY + UNKNOWN, props.Get, 'org.example.Nope', 'Iccid')
        self.refused(UNKNOWN_PROPERTY + UNKNOWN, props.GetAll, 'org.example.Nope')
        self.refused(UNKNOWN_PROPERTY + UNKNOWN, props.Get, sbtest.SB_IFACE, 'Version')
        self.assert_exact()

    def test_properties_are_read_only(self):
        targets = [(self.dbus_con.get_object(sbtest.SB_BUS, sbtest.SB_PATH), sbtest.SB_IFACE),
                   (self.profile_obj(ICCID), sbtest.SB_PROFILE_IFACE)]
        for obj, iface in targets:
            props = dbus.Interface(obj, dbus.PROPERTIES_IFACE)
            before = self.call(props.GetAll, iface)
            self.assertGreaterEqual(len(before), 3)
            for name, value in before.items():
                with self.subTest(prop=name):
                    # the value it has, and another of its type
                    self.refused(READ_ONLY, props.Set, iface, name, value)
                    if name in OTHER_VALUES:
                        self.refused(READ_ONLY, props.Set, iface, name, OTHER_VALUES[name])
                    # and with a value of the wrong type
                    self.refused(READ_ONLY, props.Set, iface, name, dbus.Byte(1))
            self.refused(UNKNOWN_PROPERTY + READ_ONLY, props.Set, iface, 'Nope', dbus.String('x'))
            # GDBus answers a Set of the wrong signature as an unknown method
            self.refused((DBUS_INVALID_ARGS,) + UNKNOWN, props.Set, iface, 'Limit', 'x', signature='sss')
            after = self.call(props.GetAll, iface)
            for name in ('Version', 'Iccid', 'Limit', 'ExtraAllowance', 'UsedBytes', 'State'):
                if name in before:
                    self.assertEqual(after[name], before[name])
        self.assert_exact()

    def test_introspection(self):
        def introspect(path):
            obj = self.dbus_con.get_object(sbtest.SB_BUS, path)
            xml = self.call(obj.Introspect, dbus_interface='org.freedesktop.DBus.Introspectable')
            return ET.fromstring(str(xml))
        root = introspect(sbtest.SB_PATH)
        ifaces = {i.get('name'): i for i in root.findall('interface')}
        self.assertIn(sbtest.SB_IFACE, ifaces)
        self.assertIn('org.freedesktop.DBus.ObjectManager', ifaces)
        self.assertEqual([m.get('name') for m in ifaces[sbtest.SB_IFACE].findall('method')],
                         ['ConnectionEvent'])
        self.assertIn('Profile', [n.get('name') for n in root.findall('node')])
        node = introspect(sbtest.SB_PATH + '/Profile')
        self.assertIn(sbtest.profile_path(ICCID).rsplit('/', 1)[1],
                      [n.get('name') for n in node.findall('node')])
        prof = introspect(sbtest.profile_path(ICCID))
        iface = [i for i in prof.findall('interface') if i.get('name') == sbtest.SB_PROFILE_IFACE][0]
        self.assertEqual(sorted(m.get('name') for m in iface.findall('method')),
                         ['Forget', 'GetHistory', 'Override', 'SetUsed'])
        self.assertEqual(sorted(s.get('name') for s in iface.findall('signal')),
                         ['BudgetExhausted', 'ThresholdReached'])
        for p in iface.findall('property'):
            self.assertEqual(p.get('access'), 'read', p.get('name'))
        # paths that hold nothing still introspect
        self.assertEqual(introspect('/').tag, 'node')
        self.assertEqual(introspect(sbtest.SB_PATH + '/Profile/000').findall('interface'), [])
        self.assert_exact()

    def test_polkit_holds_the_answer_not_the_daemon(self):
        # polkit takes its time: other callers and the counting go on
        self.polkit.SimulateHang(True)
        done = []
        self.profile(ICCID).Override(dbus.UInt64(10), reply_handler=lambda: done.append('ok'),
                                     error_handler=done.append, timeout=60)
        self.calls += 1
        self.assert_eventually(lambda: self.polkit.HaveHangingCalls())
        for _ in range(20):
            self.call(self.props, ICCID)
            self.history('hour', int(time.time()) - 3600, int(time.time()))
        self.assert_exact()
        self.assertEqual(done, [])
        self.polkit.ReleaseHangingCalls()
        self.assert_eventually(lambda: done == ['ok'])
        self.assertEqual(int(self.prop(ICCID, 'ExtraAllowance')), 10)


    def test_heaviest_history_does_not_starve_others(self):
        # The largest history anyone may ask for, in a loop from another
        # connection: a reader's wait is bounded by one such call.
        if self.instrumented:
            self.skipTest('a timing of the daemon itself, not of an instrumented one')
        import threading
        from gi.repository import Gio, GLib
        conn = Gio.DBusConnection.new_for_address_sync(
            os.environ['DBUS_SYSTEM_BUS_ADDRESS'],
            Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT |
            Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)
        heavy = GLib.Variant('(sxx)', ('day', 0, MAX_HISTORY_ROWS * 86400))
        stop = threading.Event()
        done = []

        def hammer():
            while not stop.is_set():
                started = time.monotonic()
                rows = conn.call_sync(sbtest.SB_BUS, sbtest.profile_path(ICCID),
                                      sbtest.SB_PROFILE_IFACE, 'GetHistory', heavy, None,
                                      Gio.DBusCallFlags.NONE, 30000, None)
                done.append((time.monotonic() - started, rows.get_child_value(0).n_children()))
        thread = threading.Thread(target=hammer)
        thread.start()
        self.addCleanup(thread.join)
        self.addCleanup(stop.set)
        waits = []
        while len(done) < 5:
            started = time.monotonic()
            self.call(self.props, ICCID)
            waits.append(time.monotonic() - started)
            time.sleep(0.05)
        stop.set()
        thread.join()
        self.calls += len(done)
        self.assertEqual({n for _, n in done}, {MAX_HISTORY_ROWS})
        print('heaviest GetHistory: %d calls, longest %.3f s; GetAll meanwhile: %d calls, '
              'longest wait %.3f s' % (len(done), max(t for t, _ in done), len(waits), max(waits)))
        self.assertLess(max(waits), 1.0)
        self.assert_exact()


class Refused(AbuseCase):
    """A caller polkit refuses everything."""

    POLKIT_ALLOWED = ()

    def test_polkit_denies(self):
        p = self.profile(ICCID)
        used = int(self.prop(ICCID, 'UsedBytes'))
        for method, args in [(p.Override, (dbus.UInt64(0),)), (p.Override, (dbus.UInt64(5),)),
                             (p.SetUsed, (dbus.UInt64(0),)), (p.SetUsed, (dbus.UInt64(10**12),)),
                             (p.Forget, ())]:
            with self.subTest(args=args):
                err = self.refused(NOT_AUTHORIZED, method, *args)
                self.assertTrue(err.get_dbus_message())
        # argument checks come first: a nonsense figure is refused as such
        self.refused(INVALID_ARGS, p.SetUsed, dbus.UInt64(UINT64_MAX))
        self.assertEqual(int(self.prop(ICCID, 'ExtraAllowance')), 0)
        self.assertEqual(int(self.prop(ICCID, 'UsedBytes')), used)
        self.assertEqual(int(self.prop(ICCID, 'TotalBytes')), self.rx + self.tx)
        self.assert_exact()


class NoPolkit(AbuseCase):
    """No polkit on the bus at all: nobody is authorised."""

    POLKIT_ALLOWED = None

    def test_without_polkit_nothing_is_authorised(self):
        p = self.profile(ICCID)
        self.refused(NOT_AUTHORIZED, p.Override, dbus.UInt64(0))
        self.refused(NOT_AUTHORIZED, p.SetUsed, dbus.UInt64(1))
        self.refused(NOT_AUTHORIZED, p.Forget)
        self.assertEqual(int(self.prop(ICCID, 'ExtraAllowance')), 0)
        self.assertEqual(int(self.prop(ICCID, 'TotalBytes')), self.rx + self.tx)
        self.assert_exact()


class UserData(SbTestCase):
    """NetworkManager's limits on user data: 256 keys on one connection,
    values of up to 8 KiB, keys of up to 255 bytes."""

    def setUp(self):
        super().setUp()
        self.start_nm()
        self.start_polkit(())
        self.collect_signals()
        self.start_daemon()
        self.modem = self.add_modem(ICCID, '', ESIM)
        dev = self.nm.AddModemDevice('wwan0dev', self.modem, 'cdc-wdm0', 'wwan0', dbus.UInt32(30))
        self.conn = self.nm.AddGsmConnection('travel', UUID, ICCID,
                                             dbus.Dictionary({'simbudget.limit': '10kB'},
                                                             signature='ss'), True)
        self.bearer = self.add_connected_bearer(self.modem)
        self.nm.ActivateGsmConnection(self.conn, dev, 'wwan0')
        self.assert_eventually(lambda: self.prop(ICCID, 'Limit') == 10000)
        self.rx = self.tx = 0

    def update(self, data):
        conn = self.dbus_con.get_object(sbtest.NM_BUS, self.conn)
        iface = 'org.freedesktop.NetworkManager.Settings.Connection'
        settings = conn.GetSettings(dbus_interface=iface)
        settings['user'] = {'data': dbus.Dictionary(data, signature='ss')}
        conn.Update(settings, dbus_interface=iface)

    def use(self, rx):
        self.rx += rx
        self.tx += 1
        self.stats(self.bearer, self.rx, self.tx)
        self.wait_used(ICCID, self.rx, self.tx)

    def test_256_keys_with_8_kib_values(self):
        data = {'org.example.key%03d' % i: chr(0x41 + i % 26) * 8192 for i in range(250)}
        data.update({'simbudget.limit': '20kB', 'simbudget.period': 'daily',
                     'simbudget.start': 'first-use', 'simbudget.timezone': 'Asia/Tokyo',
                     'simbudget.warn': '50', 'simbudget.action': 'warn'})
        self.assertEqual(len(data), 256)
        self.update(data)
        self.assert_eventually(lambda: self.prop(ICCID, 'Limit') == 20000)
        self.assertEqual(self.prop(ICCID, 'ConfigError'), '')
        self.assertEqual((self.prop(ICCID, 'Period'), self.prop(ICCID, 'TimeZone'),
                          list(self.prop(ICCID, 'Thresholds')), self.prop(ICCID, 'Action')),
                         ('daily', 'Asia/Tokyo', [50], 'warn'))
        self.use(9998)                     # 9999 bytes: below 50 %
        self.use(1)                        # 10001
        self.assert_eventually(lambda: self.signal_args('ThresholdReached') == [[50, 10001, 20000]])

    def test_each_key_at_its_largest(self):
        big = {
            'simbudget.limit': '9' * 8192,
            'simbudget.period': 'days:' + '1' * 8187,
            'simbudget.start': '2026-01-01T' + '0' * 8181,
            'simbudget.timezone': 'Asia/' + 'T' * 8187,
            'simbudget.warn': ('80,' * 2731)[:8192],
            'simbudget.action': '\u00e9' * 4096,          # 8 KiB of UTF-8
            'simbudget.' + 'k' * 245: '1',                # a key of 255 bytes
        }
        for key, value in big.items():
            with self.subTest(key=key[:20]):
                self.update({'simbudget.limit': '10kB', key: value})
                self.assert_eventually(lambda: (self.prop(ICCID, 'ConfigError') or '').startswith(key[:20]),
                                       'no ConfigError for %s' % key[:20])
                self.assertLess(len(self.prop(ICCID, 'ConfigError')), MESSAGE_MAX)
                self.assertEqual(self.prop(ICCID, 'Limit'), 10000)
        self.update({'simbudget.limit': '12kB'})
        self.assert_eventually(lambda: self.prop(ICCID, 'ConfigError') == '')
        self.assertEqual(self.prop(ICCID, 'Limit'), 12000)
        self.use(5000)


class SystemBusPolicy(AbuseCase):
    """The installed bus policy (data/org.simbudget.SimBudget1.conf) in a
    dbus-daemon set up like the system bus, the daemon and the mocks as
    root, and callers as `nobody`."""

    # what ModemManager's and polkit's own policies give root
    POLICY = privatebus.SYSTEM_POLICY + '''  <policy user="root">
    <allow own="*"/>
    <allow send_type="method_call"/>
  </policy>
  <include>%s</include>
''' % SB_POLICY

    @classmethod
    def private_bus(cls):
        bus = privatebus.PrivateBus('system', cls.POLICY)
        os.chmod(bus.directory, 0o755)   # nobody must reach the socket
        return bus

    def setUp(self):
        if os.geteuid() != 0 or not shutil.which('setpriv'):
            self.skipTest('needs root and setpriv to call as nobody')
        super().setUp()

    def as_user(self, user, *argv):
        """gdbus as @user: 'ok: REPLY', 'denied' or 'error NAME'."""
        wait = int(max(5, 2 * self.answer_within))
        cmd = processes.as_user(user, ['gdbus', 'call', '--system', '--timeout', str(wait),
                                       '--dest', sbtest.SB_BUS] + list(argv))
        self.calls += 1
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=wait + 10, check=False,
                              env=dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=self.bus.address))
        if proc.returncode == 0:
            return 'ok: ' + proc.stdout.strip()
        if 'AccessDenied' in proc.stderr:
            return 'denied'
        name = re.search(r'GDBus\.Error:([\w.]+)', proc.stderr)
        return 'error ' + (name.group(1) if name else proc.stderr.strip())

    def test_connection_event_is_for_root_only(self):
        event = ['--object-path', sbtest.SB_PATH, '--method', sbtest.SB_IFACE + '.ConnectionEvent',
                 'up', UUID, 'wwan0']
        self.assertEqual(self.as_user('nobody', *event), 'denied')
        self.assertEqual(self.as_user('root', *event), 'ok: ()')
        # whatever the arguments: the bus refuses before the daemon sees them
        self.assertEqual(self.as_user('nobody', '--object-path', sbtest.SB_PATH, '--method',
                                      sbtest.SB_IFACE + '.ConnectionEvent', 'x' * 100, '', ''),
                         'denied')
        self.assertEqual(self.as_user('nobody', '--object-path', sbtest.profile_path(ICCID),
                                      '--method', sbtest.SB_IFACE + '.ConnectionEvent',
                                      'up', UUID, 'wwan0'), 'denied')
        self.assert_exact()

    def test_nobody_reads_and_polkit_decides_the_rest(self):
        prof = ['--object-path', sbtest.profile_path(ICCID)]
        props = 'org.freedesktop.DBus.Properties.'
        out = self.as_user('nobody', *prof, '--method', props + 'Get',
                           sbtest.SB_PROFILE_IFACE, 'RxBytes')
        self.assertEqual(out, 'ok: (<uint64 %d>,)' % self.rx)
        self.assertTrue(self.as_user('nobody', *prof, '--method', props + 'GetAll',
                                     sbtest.SB_PROFILE_IFACE).startswith('ok: '))
        now = int(time.time())
        out = self.as_user('nobody', *prof, '--method', sbtest.SB_PROFILE_IFACE + '.GetHistory',
                           'day', str(now - 86400), str(now + 1))
        self.assertTrue(out.endswith(', %d, %d)],)' % (self.rx, self.tx)), out)
        self.assertTrue(self.as_user('nobody', '--object-path', sbtest.SB_PATH, '--method',
                                     'org.freedesktop.DBus.ObjectManager.GetManagedObjects')
                        .startswith('ok: '))
        self.assertTrue(self.as_user('nobody', '--object-path', sbtest.SB_PATH, '--method',
                                     'org.freedesktop.DBus.Introspectable.Introspect')
                        .startswith('ok: '))
        # wrong arguments from nobody get the daemon's answer
        self.assertEqual(self.as_user('nobody', *prof, '--method',
                                      sbtest.SB_PROFILE_IFACE + '.GetHistory', 'fortnight', '0', '1'),
                         'error ' + INVALID_ARGS)
        # the bus lets the methods through; polkit (the mock) says no
        self.polkit.SetAllowed(dbus.Array([], signature='s'))
        for method, args in [('Override', ['0']), ('SetUsed', ['0']), ('Forget', [])]:
            with self.subTest(method=method):
                self.assertEqual(self.as_user('nobody', *prof, '--method',
                                              sbtest.SB_PROFILE_IFACE + '.' + method, *args),
                                 'error ' + NOT_AUTHORIZED)
        # writing properties is not let through at all
        self.assertEqual(self.as_user('nobody', *prof, '--method', props + 'Set',
                                      sbtest.SB_PROFILE_IFACE, 'Limit', '<uint64 1>'), 'denied')
        self.assertEqual(self.as_user('nobody', '--object-path', sbtest.SB_PATH, '--method',
                                      props + 'Set', sbtest.SB_IFACE, 'Version', '<"x">'), 'denied')
        self.assertEqual(int(self.prop(ICCID, 'ExtraAllowance')), 0)
        self.assert_exact()


if __name__ == '__main__':
    sbtest.main()
