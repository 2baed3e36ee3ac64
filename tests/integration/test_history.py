#!/usr/bin/python3
"""GetHistory rows and argument checking."""

import time

import dbus

import sbtest
from sbtest import ESIM, SbTestCase

ICCID = '8981100022233344455'
INVALID_ARGS = 'org.simbudget.SimBudget1.Error.InvalidArgs'


class History(SbTestCase):

    def setUp(self):
        super().setUp()
        self.start_daemon()
        modem = self.add_modem(ICCID, '', ESIM)
        self.bearer = self.add_connected_bearer(modem)
        self.stats(self.bearer, 7000, 700)
        self.wait_used(ICCID, 7000, 700)

    def history(self, gran, frm, to):
        rows = self.profile(ICCID).GetHistory(gran, dbus.Int64(frm), dbus.Int64(to))
        return [(int(a), int(b), int(c)) for a, b, c in rows]

    def test_rows_by_hour_include_empty_buckets(self):
        now = int(time.time())
        hour = now - now % 3600
        rows = self.history('hour', hour - 5 * 3600, hour + 3600)
        self.assertEqual([r[0] for r in rows], [hour - h * 3600 for h in range(5, -1, -1)])
        self.assertEqual(sum(r[1] for r in rows), 7000)
        self.assertEqual(sum(r[2] for r in rows), 700)
        self.assertEqual(rows[-1][1:], (7000, 700))
        self.assertEqual(rows[0][1:], (0, 0))

    def test_rows_by_day_week_month(self):
        now = int(time.time())
        day = now - now % 86400
        rows = self.history('day', day - 6 * 86400, day + 86400)
        self.assertEqual(len(rows), 7)
        self.assertEqual(rows[-1], (day, 7000, 700))
        # ISO weeks start on Monday (1970-01-05 was one)
        week = day - (day - 4 * 86400) % (7 * 86400)
        rows = self.history('week', week - 7 * 86400, now + 1)
        self.assertEqual([r[0] for r in rows], [week - 7 * 86400, week])
        self.assertEqual(rows[-1][1:], (7000, 700))
        t = time.gmtime(now)
        month = int(time.mktime((t.tm_year, t.tm_mon, 1, 0, 0, 0, 0, 0, 0)) - time.timezone)
        rows = self.history('month', month, now + 1)
        self.assertEqual(rows, [(month, 7000, 700)])

    def test_history_sees_bytes_counted_a_moment_ago(self):
        self.stats(self.bearer, 7100, 710)
        self.wait_used(ICCID, 7100, 710)
        now = int(time.time())
        rows = self.history('day', now - 86400, now + 1)
        self.assertEqual(sum(r[1] for r in rows), 7100)

    def test_empty_range(self):
        now = int(time.time())
        self.assertEqual(self.history('day', now, now), [])

    def assert_invalid(self, gran, frm, to, fragment):
        with self.assertRaises(dbus.exceptions.DBusException) as cm:
            self.profile(ICCID).GetHistory(gran, dbus.Int64(frm), dbus.Int64(to))
        self.assertEqual(cm.exception.get_dbus_name(), INVALID_ARGS)
        self.assertIn(fragment, cm.exception.get_dbus_message())

    def test_bad_arguments(self):
        now = int(time.time())
        self.assert_invalid('fortnight', now - 10, now, 'fortnight')
        self.assert_invalid('', now - 10, now, 'hour')
        self.assert_invalid('day', now, now - 10, '')
        self.assert_invalid('hour', 0, 253402300799, '')
        self.assert_invalid('hour', -2**63, 2**63 - 1, '')
        self.assert_invalid('x' * 100000, now - 10, now, '')
        # still exact and alive afterwards
        self.stats(self.bearer, 8000, 800)
        self.wait_used(ICCID, 8000, 800)

    def test_unknown_object_and_wrong_types(self):
        bad = self.dbus_con.get_object(sbtest.SB_BUS, sbtest.SB_PATH + '/Profile/000')
        with self.assertRaises(dbus.exceptions.DBusException) as cm:
            bad.GetHistory('day', dbus.Int64(0), dbus.Int64(1), dbus_interface=sbtest.SB_PROFILE_IFACE)
        # answered by GDBus itself
        self.assertIn(cm.exception.get_dbus_name(), ('org.freedesktop.DBus.Error.UnknownObject',
                                                     'org.freedesktop.DBus.Error.UnknownMethod'))
        with self.assertRaises(dbus.exceptions.DBusException) as cm:
            self.profile(ICCID).GetHistory('day', 'yesterday', 'x', signature='sss')
        self.assertEqual(cm.exception.get_dbus_name(), 'org.freedesktop.DBus.Error.InvalidArgs')


if __name__ == '__main__':
    sbtest.main()
