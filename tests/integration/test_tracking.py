#!/usr/bin/python3
"""Usage tracking from ModemManager's bearer statistics, end to end."""

import os
import random
import signal
import time

import dbus

import sbtest
from sbtest import ESIM, PHYSICAL, SbTestCase

ICCID_JP = '8981100022233344455'
ICCID_HOME = '8949000011112222333'
EID = '89049032000001000000012345678901'


class Tracking(SbTestCase):

    def test_profile_appears_with_identity(self):
        self.start_daemon()
        self.add_modem(ICCID_JP, EID, ESIM, 'Japan Travel')
        self.assert_eventually(lambda: self.props(ICCID_JP) is not None)
        p = self.props(ICCID_JP)
        self.assertEqual(p['Iccid'], ICCID_JP)
        self.assertEqual(p['Eid'], EID)
        self.assertEqual(p['SimType'], 'esim')
        self.assertEqual(p['OperatorName'], 'Japan Travel')
        self.assertFalse(p['Active'])
        self.assertEqual(p['State'], 'untracked')
        self.assertEqual(int(p['UsedBytes']), 0)
        # the calendar month in the system zone (TZ=UTC for the tests)
        now = time.gmtime()
        start = int(time.mktime((now.tm_year, now.tm_mon, 1, 0, 0, 0, 0, 0, 0)) - time.timezone)
        self.assertEqual(int(p['PeriodStart']), start)
        self.assertGreater(int(p['PeriodEnd']), int(time.time()))
        self.assertIn(ICCID_JP, self.managed_profiles())
        self.assertEqual(self.manager_props()['StorageState'], 'ok')

    def test_exact_totals_over_many_samples(self):
        self.start_daemon()
        modem = self.add_modem(ICCID_JP, EID)
        bearer = self.add_connected_bearer(modem)
        self.assert_eventually(lambda: self.prop(ICCID_JP, 'Active') == True)
        rng = random.Random(2)
        rx = tx = 0
        for _ in range(200):
            rx += rng.randrange(0, 5_000_000)
            tx += rng.randrange(0, 500_000)
            self.stats(bearer, rx, tx)
        self.wait_used(ICCID_JP, rx, tx)
        p = self.props(ICCID_JP)
        self.assertEqual(int(p['UsedBytes']), rx + tx)
        self.assertEqual(int(p['TotalBytes']), rx + tx)
        self.assertEqual(p['Interface'], 'wwan0')
        # a clean restart keeps every byte and counts nothing twice
        self.restart_daemon()
        self.wait_used(ICCID_JP, rx, tx)
        self.stats(bearer, rx + 10, tx + 1)
        self.wait_used(ICCID_JP, rx + 10, tx + 1)
        self.assertEqual(int(self.prop(ICCID_JP, 'TotalBytes')), rx + tx + 11)

    def test_reconnect_counts_new_session_and_unseen_tail(self):
        self.start_daemon()
        modem = self.add_modem(ICCID_JP, EID)
        bearer = self.add_connected_bearer(modem)
        self.stats(bearer, 1000, 100)
        self.wait_used(ICCID_JP, 1000, 100)
        # the daemon is down while the session carries 4000 more bytes and
        # ends; ModemManager's totals remember them
        self.wait_durable()
        self.stop_daemon(signal.SIGKILL)
        self.stats(bearer, 5000, 500)
        self.mm.DisconnectBearer(bearer)
        self.mm.ConnectBearer(bearer, 'wwan0')
        self.stats(bearer, 300, 30)
        self.start_daemon()
        self.wait_used(ICCID_JP, 5300, 530)
        # and a plain reconnect seen live
        self.mm.DisconnectBearer(bearer)
        self.assert_eventually(lambda: self.prop(ICCID_JP, 'Active') == False)
        self.mm.ConnectBearer(bearer, 'wwan0')
        self.stats(bearer, 70, 7)
        self.wait_used(ICCID_JP, 5370, 537)

    def test_two_modems_two_profiles(self):
        self.start_daemon()
        m1 = self.add_modem(ICCID_JP, EID, ESIM, 'Japan Travel', '350000000000001')
        m2 = self.add_modem(ICCID_HOME, '', PHYSICAL, 'Home', '350000000000002')
        b1 = self.add_connected_bearer(m1, 'wwan0')
        b2 = self.add_connected_bearer(m2, 'wwan1')
        for i in range(1, 21):
            self.stats(b1, i * 1000, i * 10)
            self.stats(b2, i * 7000, i * 70)
        self.wait_used(ICCID_JP, 20000, 200)
        self.wait_used(ICCID_HOME, 140000, 1400)
        self.assertEqual(self.prop(ICCID_HOME, 'SimType'), 'physical')
        self.assertEqual(self.prop(ICCID_HOME, 'Interface'), 'wwan1')

    def test_esim_profile_switch_mid_session(self):
        self.start_daemon()
        modem = self.add_modem(ICCID_JP, EID)
        bearer = self.add_connected_bearer(modem)
        self.stats(bearer, 10000, 1000)
        self.wait_used(ICCID_JP, 10000, 1000)
        # the eUICC switches to another profile: a new SIM object
        self.mm.SetSim(modem, ICCID_HOME, EID, dbus.UInt32(ESIM), 'Home')
        self.assert_eventually(lambda: self.props(ICCID_HOME) is not None)
        self.assert_eventually(lambda: self.prop(ICCID_JP, 'Active') == False)
        self.stats(bearer, 12500, 1250)
        self.wait_used(ICCID_HOME, 2500, 250)
        self.wait_used(ICCID_JP, 10000, 1000)
        # same SIM object, ICCID changes back; a new session this time
        self.mm.DisconnectBearer(bearer)
        self.mm.SetSim(modem, ICCID_JP, EID, dbus.UInt32(ESIM), 'Japan Travel')
        self.mm.ConnectBearer(bearer, 'wwan0')
        self.stats(bearer, 400, 40)
        self.wait_used(ICCID_JP, 10400, 1040)
        self.wait_used(ICCID_HOME, 2500, 250)

    def test_sigkill_mid_session_is_exact(self):
        self.start_daemon()
        modem = self.add_modem(ICCID_JP, EID)
        bearer = self.add_connected_bearer(modem)
        rng = random.Random(7)
        rx = tx = 0
        for round_ in range(5):
            for _ in range(rng.randrange(1, 6)):
                rx += rng.randrange(1, 1_000_000)
                tx += rng.randrange(1, 100_000)
                self.stats(bearer, rx, tx)
            self.wait_used(ICCID_JP, rx, tx)
            # killed right after counting, before or after the write
            self.stop_daemon(signal.SIGKILL)
            self.start_daemon()
            self.wait_used(ICCID_JP, rx, tx)
        self.assertEqual(int(self.prop(ICCID_JP, 'TotalBytes')), rx + tx)

    def test_counted_bytes_durable_within_two_seconds(self):
        self.start_daemon()
        modem = self.add_modem(ICCID_JP, EID)
        bearer = self.add_connected_bearer(modem)
        self.stats(bearer, 123456, 7890)
        self.wait_used(ICCID_JP, 123456, 7890)
        self.wait_durable()
        self.stop_daemon(signal.SIGKILL)
        # nothing left in ModemManager to recount from
        self.stop_mm()
        self.start_mm()
        self.start_daemon()
        self.wait_used(ICCID_JP, 123456, 7890)
        self.assertFalse(self.prop(ICCID_JP, 'Active'))

    def test_modemmanager_restart(self):
        self.start_daemon()
        modem = self.add_modem(ICCID_JP, EID)
        bearer = self.add_connected_bearer(modem)
        self.stats(bearer, 50000, 5000)
        self.wait_used(ICCID_JP, 50000, 5000)
        self.stop_mm()
        self.assert_eventually(lambda: self.prop(ICCID_JP, 'Active') == False)
        # a new ModemManager: object paths start again, a new session
        self.start_mm()
        modem = self.add_modem(ICCID_JP, EID)
        bearer = self.add_connected_bearer(modem)
        self.stats(bearer, 2000, 200)
        self.wait_used(ICCID_JP, 52000, 5200)
        self.restart_daemon()
        self.wait_used(ICCID_JP, 52000, 5200)

    def test_modem_reset_counters_go_backwards(self):
        self.start_daemon()
        modem = self.add_modem(ICCID_JP, EID)
        bearer = self.add_connected_bearer(modem)
        start = int(time.time())
        self.mm.ForceBearerStats(bearer, dbus.UInt64(900000), dbus.UInt64(9000),
                                 dbus.UInt64(900000), dbus.UInt64(9000), dbus.UInt64(start))
        self.wait_used(ICCID_JP, 900000, 9000)
        # the modem restarted its counters within the same session
        self.mm.ForceBearerStats(bearer, dbus.UInt64(1000), dbus.UInt64(10),
                                 dbus.UInt64(1000), dbus.UInt64(10), dbus.UInt64(start))
        self.wait_used(ICCID_JP, 901000, 9010)
        self.mm.ForceBearerStats(bearer, dbus.UInt64(3000), dbus.UInt64(30),
                                 dbus.UInt64(3000), dbus.UInt64(30), dbus.UInt64(start))
        self.wait_used(ICCID_JP, 903000, 9030)

    def test_profiles_stay_listed_after_sim_is_gone(self):
        self.start_daemon()
        modem = self.add_modem(ICCID_JP, EID)
        bearer = self.add_connected_bearer(modem)
        self.stats(bearer, 4242, 42)
        self.wait_used(ICCID_JP, 4242, 42)
        self.mm.RemoveModem(modem)
        self.assert_eventually(lambda: self.prop(ICCID_JP, 'Active') == False)
        self.assertIn(ICCID_JP, self.managed_profiles())
        self.restart_daemon()
        p = self.managed_profiles()[ICCID_JP]
        self.assertEqual(int(p['UsedBytes']), 4284)
        self.assertEqual(p['SimType'], 'esim')
        self.assertEqual(p['Eid'], EID)

    def test_sigterm_exits_zero_and_lost_name_exits_one(self):
        first = self.start_daemon()
        second = self.start_daemon(['--replace'], wait=False)
        self.assertEqual(first.wait(60 if os.environ.get('SB_DAEMON_WRAPPER') else 10), 1)
        self.assert_eventually(lambda: self.dbus_con.name_has_owner(sbtest.SB_BUS))
        self.daemon = second
        self.stop_daemon(signal.SIGTERM, expect_code=0)


if __name__ == '__main__':
    sbtest.main()
