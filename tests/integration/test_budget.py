#!/usr/bin/python3
"""Budgets configured on NetworkManager connections: thresholds, cut-off,
override, rollover, binding, NetworkManager coming and going, polkit."""

import calendar
import os
import signal
import subprocess
import time

import dbus

import sbtest
from sbtest import ESIM, SbTestCase

ICCID = '8981100022233344455'
OTHER = '8949000011112222333'
EID = '89049032000001000000012345678901'
UUID = '5b9a5a0e-0d4b-4c5e-9a55-6c1b2a3f4d01'
UUID2 = '5b9a5a0e-0d4b-4c5e-9a55-6c1b2a3f4d02'
NOT_AUTHORIZED = 'org.simbudget.SimBudget1.Error.NotAuthorized'
INVALID_ARGS = 'org.simbudget.SimBudget1.Error.InvalidArgs'
AC_ACTIVATED = 2


class Budget(SbTestCase):

    def setUp(self):
        super().setUp()
        self.start_nm()
        self.start_polkit(['org.simbudget.override', 'org.simbudget.manage'])
        self.collect_signals()

    # ---- scenario helpers -------------------------------------------------

    def setup_line(self, user_data, sim_id=ICCID, iccid=ICCID, uuid=UUID, conn_id='travel-jp',
                   start_daemon=True, env=None):
        """A modem with an eSIM, its NetworkManager device, a GSM connection
        with @user_data, activated, and a connected bearer."""
        self.modem = self.add_modem(iccid, EID, ESIM, 'Japan Travel')
        self.dev = self.nm.AddModemDevice('wwan0dev', self.modem, 'cdc-wdm0', 'wwan0', dbus.UInt32(30))
        self.conn = self.nm.AddGsmConnection(conn_id, uuid, sim_id,
                                             dbus.Dictionary(user_data, signature='ss'), True)
        if start_daemon:
            self.start_daemon(env=env)
        self.connect_line()
        return self.conn

    def connect_line(self):
        self.bearer = self.bearer if getattr(self, 'bearer', None) else \
            self.mm.AddBearer(self.modem, 'wwan0', True)
        self.mm.ConnectBearer(self.bearer, 'wwan0')
        self.nm.ActivateGsmConnection(self.conn, self.dev, 'wwan0')
        self.rx = self.tx = 0

    def use(self, rx, tx=0):
        self.rx += rx
        self.tx += tx
        self.stats(self.bearer, self.rx, self.tx)

    def wait_state(self, state, key=ICCID):
        self.assert_eventually(lambda: self.prop(key, 'State') == state,
                               'state never became %s (is %s)' % (state, self.prop(key, 'State')))

    def wait_cut(self, uuid=UUID, hang_up=True):
        self.assert_eventually(lambda: uuid not in self.nm_active(), 'connection not taken down')
        self.assert_eventually(lambda: not self.device_autoconnect(self.dev), 'autoconnect not blocked')
        if hang_up:
            # what ModemManager does when NetworkManager takes the line down
            self.mm.DisconnectBearer(self.bearer)

    def wait_up(self, uuid=UUID):
        self.assert_eventually(lambda: self.nm_active().get(uuid) == AC_ACTIVATED,
                               'connection not brought back')

    # ---- cases ------------------------------------------------------------

    def test_thresholds_once_and_cut_at_limit(self):
        self.setup_line({'simbudget.limit': '10kB'})
        self.assert_eventually(lambda: self.prop(ICCID, 'Limit') == 10000)
        self.assertEqual(self.prop(ICCID, 'ConnectionUuid'), UUID)
        self.assertEqual(self.prop(ICCID, 'ConnectionId'), 'travel-jp')
        self.assertEqual(list(self.prop(ICCID, 'Thresholds')), [80, 95])
        self.assertEqual(self.prop(ICCID, 'Enforcement'), 'disconnect')
        self.wait_state('ok')
        self.use(7999)
        self.wait_used(ICCID, 7999, 0)
        self.assertEqual(self.signal_args('ThresholdReached'), [])
        self.use(1)                               # exactly 80 %
        self.wait_state('warning')
        self.assert_eventually(lambda: len(self.signal_args('ThresholdReached')) == 1)
        self.assertEqual(self.signal_args('ThresholdReached')[0], [80, 8000, 10000])
        self.use(1499)                            # 9499: not yet 95 %
        self.wait_used(ICCID, 9499, 0)
        self.use(1)
        self.assert_eventually(lambda: len(self.signal_args('ThresholdReached')) == 2)
        self.assertEqual(self.signal_args('ThresholdReached')[1], [95, 9500, 10000])
        self.assertEqual(self.signal_args('BudgetExhausted'), [])
        self.assertIn(UUID, self.nm_active())
        self.use(500)                             # the limit
        self.wait_state('exhausted')
        self.wait_cut()
        self.assert_eventually(lambda: self.signal_args('BudgetExhausted') == [[10000, 10000, True]])
        # a restart repeats nothing and keeps the cut
        self.restart_daemon()
        self.wait_state('exhausted')
        self.assertEqual(len(self.signal_args('ThresholdReached')), 2)
        self.assertEqual(len(self.signal_args('BudgetExhausted')), 1)
        self.assertFalse(self.device_autoconnect(self.dev))

    def test_reconnect_while_exhausted_is_cut_again(self):
        self.setup_line({'simbudget.limit': '1000', 'simbudget.warn': 'none'})
        self.use(1200)
        self.wait_cut()
        # someone brings it up by hand (nmcli connection up)
        nm = dbus.Interface(self.dbus_con.get_object(sbtest.NM_BUS, sbtest.NM_PATH),
                            'org.freedesktop.NetworkManager')
        nm.ActivateConnection(self.conn, self.dev, dbus.ObjectPath('/'))
        self.wait_cut()
        self.assert_eventually(lambda: len(self.signal_args('BudgetExhausted')) == 2)
        self.assertTrue(all(a[2] for a in self.signal_args('BudgetExhausted')))
        self.assertIn('came up while the budget is spent', self.daemon_output())

    def test_override_resumes_and_cuts_at_new_limit(self):
        self.setup_line({'simbudget.limit': '1000'})
        self.use(1000)
        self.wait_cut()
        self.profile(ICCID).Override(dbus.UInt64(500))
        self.wait_state('overridden')
        self.assertEqual(self.prop(ICCID, 'ExtraAllowance'), 500)
        # the line comes back by itself, autoconnect restored
        self.wait_up()
        self.assertTrue(self.device_autoconnect(self.dev))
        self.mm.ConnectBearer(self.bearer, 'wwan0')
        self.rx = 0
        self.use(499)
        self.wait_used(ICCID, 1499, 0)
        self.assertIn(UUID, self.nm_active())
        self.use(1)
        self.wait_state('exhausted')
        self.wait_cut()
        # unlimited until the period ends
        self.profile(ICCID).Override(dbus.UInt64(0))
        self.assert_eventually(lambda: self.prop(ICCID, 'ExtraAllowance') == 2**64 - 1)
        self.wait_state('overridden')
        self.wait_up()
        self.profile(ICCID).Override(dbus.UInt64(2**64 - 1))
        self.assertEqual(self.prop(ICCID, 'ExtraAllowance'), 2**64 - 1)

    def test_raised_limit_lifts_the_cut(self):
        self.setup_line({'simbudget.limit': '1000'})
        self.use(1000)
        self.wait_cut()
        self.update_user_data({'simbudget.limit': '2000'})
        self.wait_state('ok')
        self.wait_up()
        self.assertTrue(self.device_autoconnect(self.dev))
        self.assertEqual(self.prop(ICCID, 'Enforcement'), 'disconnect')
        self.update_user_data({})
        self.wait_state('untracked')
        self.assertEqual(self.prop(ICCID, 'Enforcement'), 'none')

    def next_utc_boundary(self, hour_utc):
        now = int(time.time())
        day = now - now % 86400
        t = day + hour_utc * 3600
        return t if t > now + 60 else t + 86400

    def test_tokyo_daily_rolls_at_1500_utc_and_lifts_the_cut(self):
        boundary = self.next_utc_boundary(15)
        offset = boundary - 4 - int(time.time())
        self.setup_line({'simbudget.limit': '1000', 'simbudget.period': 'daily',
                         'simbudget.timezone': 'Asia/Tokyo'},
                        env={'SIMBUDGET_TIME_OFFSET': str(offset)})
        self.assert_eventually(lambda: self.prop(ICCID, 'PeriodEnd') == boundary)
        self.assertEqual(self.prop(ICCID, 'PeriodStart'), boundary - 86400)
        self.assertEqual(self.prop(ICCID, 'TimeZone'), 'Asia/Tokyo')
        self.assertEqual(self.prop(ICCID, 'Period'), 'daily')
        self.use(1000)
        self.wait_cut()
        # no traffic, no statistics: the daemon's own timer rolls over
        self.assert_eventually(lambda: self.prop(ICCID, 'PeriodStart') == boundary, timeout=15)
        self.assertEqual(self.prop(ICCID, 'PeriodEnd'), boundary + 86400)
        self.assertEqual(self.prop(ICCID, 'UsedBytes'), 0)
        self.wait_state('ok')
        self.wait_up()
        self.assertTrue(self.device_autoconnect(self.dev))
        self.assertEqual(self.prop(ICCID, 'TotalBytes'), 1000)

    def test_days_plan_from_first_use_expires(self):
        now = int(time.time())
        # 8 days of validity that began 8 days ago less 3 seconds
        start = time.strftime('%Y-%m-%dT%H:%M:%S+00:00', time.gmtime(now - 8 * 86400 + 3))
        self.setup_line({'simbudget.limit': '5GB', 'simbudget.period': 'days:8',
                         'simbudget.start': start, 'simbudget.timezone': 'UTC'})
        self.assert_eventually(lambda: self.prop(ICCID, 'PeriodEnd') == now + 3)
        self.wait_state('ok')
        self.use(10)
        self.assert_eventually(lambda: self.prop(ICCID, 'State') == 'expired', timeout=10)
        self.wait_cut()

    def test_first_use_starts_the_validity(self):
        self.setup_line({'simbudget.limit': '5GB', 'simbudget.period': 'days:8',
                         'simbudget.timezone': 'Asia/Tokyo'})
        self.assert_eventually(lambda: self.prop(ICCID, 'Limit') == 5 * 10**9)
        self.assertEqual(self.prop(ICCID, 'PeriodStart'), 0)
        self.assertEqual(self.prop(ICCID, 'PeriodEnd'), 0)
        before = int(time.time())
        self.use(100)
        self.assert_eventually(lambda: self.prop(ICCID, 'PeriodStart') != 0)
        start = int(self.prop(ICCID, 'PeriodStart'))
        self.assertGreaterEqual(start, before)
        self.assertEqual(self.prop(ICCID, 'PeriodEnd'), start + 8 * 86400)
        self.wait_used(ICCID, 100, 0)
        self.restart_daemon()
        self.assert_eventually(lambda: self.prop(ICCID, 'PeriodStart') == start)

    def test_connection_without_sim_id_binds_through_its_modem(self):
        self.setup_line({'simbudget.limit': '1000'}, sim_id='')
        self.assert_eventually(lambda: self.prop(ICCID, 'ConnectionUuid') == UUID)
        self.assertEqual(self.prop(ICCID, 'Limit'), 1000)
        self.use(1000)
        self.wait_cut()
        # inactive now, still bound (persisted), also after a restart
        self.restart_daemon()
        self.assertEqual(self.prop(ICCID, 'ConnectionUuid'), UUID)
        self.wait_state('exhausted')

    def test_two_connections_claiming_one_profile(self):
        self.setup_line({'simbudget.limit': '1000'})
        self.nm.AddGsmConnection('travel-jp-2', UUID2, ICCID,
                                 dbus.Dictionary({'simbudget.limit': '5000'}, signature='ss'), True)
        self.assert_eventually(lambda: 'travel-jp-2' in (self.prop(ICCID, 'ConfigError') or ''))
        # the active one wins
        self.assertEqual(self.prop(ICCID, 'ConnectionUuid'), UUID)
        self.assertEqual(self.prop(ICCID, 'Limit'), 1000)

    def test_networkmanager_gone_and_back_while_exhausted(self):
        self.setup_line({'simbudget.limit': '1000'})
        self.use(1000)
        self.wait_cut()
        self.stop_nm()
        self.assert_eventually(lambda: self.prop(ICCID, 'Enforcement') == 'no-networkmanager')
        self.wait_state('exhausted')
        # NetworkManager returns: device autoconnect on, the connection up
        self.start_nm()
        self.dev = self.nm.AddModemDevice('wwan0dev', self.modem, 'cdc-wdm0', 'wwan0', dbus.UInt32(30))
        self.conn = self.nm.AddGsmConnection('travel-jp', UUID, ICCID,
                                             dbus.Dictionary({'simbudget.limit': '1000'}, signature='ss'),
                                             True)
        self.nm.ActivateGsmConnection(self.conn, self.dev, 'wwan0')
        self.wait_cut()
        self.assertEqual(self.prop(ICCID, 'Enforcement'), 'disconnect')
        self.assertEqual(self.prop(ICCID, 'Limit'), 1000)
        # said once more: the line came up with the new NetworkManager
        self.assert_eventually(lambda: len(self.signal_args('BudgetExhausted')) == 2)
        self.assertIn('came up while the budget is spent', self.daemon_output())

    def test_warn_action_only_notifies(self):
        self.setup_line({'simbudget.limit': '1000', 'simbudget.action': 'warn'})
        self.use(1500)
        self.wait_state('exhausted')
        self.assert_eventually(lambda: self.signal_args('BudgetExhausted') == [[1500, 1000, False]])
        self.assertIn(UUID, self.nm_active())
        self.assertTrue(self.device_autoconnect(self.dev))
        self.assertEqual(self.prop(ICCID, 'Enforcement'), 'none')

    def update_user_data(self, user_data):
        conn = self.dbus_con.get_object(sbtest.NM_BUS, self.conn)
        settings = conn.GetSettings(dbus_interface='org.freedesktop.NetworkManager.Settings.Connection')
        if user_data:
            settings['user'] = {'data': dbus.Dictionary(user_data, signature='ss')}
        else:
            settings.pop('user', None)
        conn.Update(settings, dbus_interface='org.freedesktop.NetworkManager.Settings.Connection')

    def test_malformed_values_keep_previous_plan(self):
        self.setup_line({'simbudget.limit': '5GB'})
        self.assert_eventually(lambda: self.prop(ICCID, 'Limit') == 5 * 10**9)
        bad = [
            ('simbudget.limit', '5XB'), ('simbudget.limit', '-1GB'), ('simbudget.limit', ''),
            ('simbudget.limit', 'x' * 8192),
            ('simbudget.period', 'fortnightly'), ('simbudget.period', 'monthly:32'),
            ('simbudget.period', 'days:0'), ('simbudget.start', '2026-13-45'),
            ('simbudget.timezone', 'Mars/Olympus'), ('simbudget.timezone', '../../etc/passwd'),
            ('simbudget.warn', '150'), ('simbudget.warn', '80,,95'),
            ('simbudget.action', 'shutdown'),
        ]
        for key, value in bad:
            data = {'simbudget.limit': '5GB'}
            data[key] = value
            self.update_user_data(data)
            self.assert_eventually(lambda: (self.prop(ICCID, 'ConfigError') or '').startswith(key),
                                   'no ConfigError for %s=%r' % (key, value[:20]))
            self.assertEqual(self.prop(ICCID, 'Limit'), 5 * 10**9)
        self.update_user_data({'simbudget.limit': '2GB'})
        self.assert_eventually(lambda: self.prop(ICCID, 'ConfigError') == '')
        self.assertEqual(self.prop(ICCID, 'Limit'), 2 * 10**9)
        # 256 keys, values of 8 KiB: refused by name, daemon alive
        many = {'simbudget.x%d' % i: 'v' * 8192 for i in range(255)}
        many['simbudget.limit'] = '3GB'
        self.update_user_data(many)
        self.assert_eventually(lambda: self.prop(ICCID, 'ConfigError') != '')
        self.assertEqual(self.prop(ICCID, 'Limit'), 2 * 10**9)

    def test_denied_callers(self):
        self.setup_line({'simbudget.limit': '1000'})
        self.use(1000)
        self.wait_cut()
        self.polkit.SetAllowed(dbus.Array([], signature='s'))
        for call in (lambda p: p.Override(dbus.UInt64(100)),
                     lambda p: p.SetUsed(dbus.UInt64(0)),
                     lambda p: p.Forget()):
            with self.assertRaises(dbus.exceptions.DBusException) as cm:
                call(self.profile(ICCID))
            self.assertEqual(cm.exception.get_dbus_name(), NOT_AUTHORIZED)
        self.assertEqual(self.prop(ICCID, 'ExtraAllowance'), 0)
        self.assertEqual(self.prop(ICCID, 'UsedBytes'), 1000)
        self.wait_state('exhausted')
        # polkit gone altogether: still refused, never allowed
        self._stop_proc(self.polkit_proc)
        with self.assertRaises(dbus.exceptions.DBusException) as cm:
            self.profile(ICCID).Override(dbus.UInt64(100))
        self.assertEqual(cm.exception.get_dbus_name(), NOT_AUTHORIZED)

    def test_set_used_and_forget(self):
        self.setup_line({'simbudget.limit': '10000'})
        self.use(3000, 1000)
        self.wait_used(ICCID, 3000, 1000)
        self.profile(ICCID).SetUsed(dbus.UInt64(9000))
        self.assert_eventually(lambda: self.prop(ICCID, 'UsedBytes') == 9000)
        self.assertEqual(self.prop(ICCID, 'RxBytes'), 3000)
        self.wait_state('warning')
        self.use(500)
        self.assert_eventually(lambda: self.prop(ICCID, 'UsedBytes') == 9500)
        self.profile(ICCID).SetUsed(dbus.UInt64(0))
        self.assert_eventually(lambda: self.prop(ICCID, 'UsedBytes') == 0)
        with self.assertRaises(dbus.exceptions.DBusException) as cm:
            self.profile(ICCID).SetUsed(dbus.UInt64(2**64 - 1))
        self.assertEqual(cm.exception.get_dbus_name(), INVALID_ARGS)
        self.restart_daemon()
        self.assertEqual(self.prop(ICCID, 'UsedBytes'), 0)
        self.profile(ICCID).Forget()
        self.assert_eventually(lambda: self.prop(ICCID, 'TotalBytes') == 0)
        # counting goes on from where the counters are, not from zero
        self.use(10)
        self.wait_used(ICCID, 10, 0)

    def test_set_from_the_cli_is_enforced(self):
        cli = os.environ.get('SB_CLI')
        if not cli:
            self.fail('SB_CLI is not set')
        self.setup_line({})
        self.assert_eventually(lambda: self.prop(ICCID, 'ConnectionUuid') == UUID)
        self.assertEqual(self.prop(ICCID, 'State'), 'untracked')
        out = subprocess.run([cli, 'set', 'travel-jp', 'limit', '2kB', 'warn', '50'],
                             capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assert_eventually(lambda: self.prop(ICCID, 'Limit') == 2000)
        self.use(1000)
        self.assert_eventually(lambda: self.signal_args('ThresholdReached') == [[50, 1000, 2000]])
        self.use(1000)
        self.wait_cut()
        out = subprocess.run([cli, 'override', ICCID[-6:], '1kB'], capture_output=True, text=True,
                             timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.wait_up()
        out = subprocess.run([cli, '--json', 'status', ICCID], capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn('"overridden"', out.stdout)


if __name__ == '__main__':
    sbtest.main()
