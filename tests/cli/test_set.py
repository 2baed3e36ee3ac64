#!/usr/bin/python3
"""simbudget set / unset: the budget keys written into the NetworkManager
connection's user data through libnm, against a NetworkManager mock."""

import datetime
import json
import re
import uuid

import dbus
import dbusmock

from clitest import CliTestCase, main, now

GSM_UUID = '2f8e3c3a-6a55-4c2b-9a57-1f0b7f1d9c01'
ICCID = '8981100022152233440'


def settings(id_, uuid_, type_='gsm', user=None, gsm=None):
    s = {
        'connection': dbus.Dictionary({'id': id_, 'uuid': uuid_, 'type': type_}, signature='sv'),
        'ipv4': dbus.Dictionary({'method': 'auto'}, signature='sv'),
    }
    if type_ == 'gsm':
        g = {'apn': 'internet'}
        g.update(gsm or {})
        s['gsm'] = dbus.Dictionary(g, signature='sv')
    if user is not None:
        s['user'] = dbus.Dictionary({'data': dbus.Dictionary(user, signature='ss')}, signature='sv')
    return dbus.Dictionary(s, signature='sa{sv}')


class SetTest(CliTestCase):

    def setUp(self):
        super().setUp()
        self.settings = self.start_nm()

    def add_connection(self, *args, **kwargs):
        path = self.settings.AddConnection(settings(*args, **kwargs))
        return self.dbus_con.get_object('org.freedesktop.NetworkManager', path)

    @staticmethod
    def user_data(conn):
        s = conn.GetSettings(dbus_interface='org.freedesktop.NetworkManager.Settings.Connection')
        return {str(k): str(v) for k, v in s.get('user', {}).get('data', {}).items()}

    @staticmethod
    def writes(conn):
        return len(conn.GetMethodCalls('Update2', dbus_interface=dbusmock.MOCK_IFACE)) + \
            len(conn.GetMethodCalls('Update', dbus_interface=dbusmock.MOCK_IFACE))

    def test_set_writes_user_data(self):
        conn = self.add_connection('Travel', GSM_UUID)
        r = self.run_cli('set', 'Travel', 'limit', '5GB', 'period', 'days:8', 'timezone', 'Asia/Tokyo',
                         'warn', '50,90', 'action', 'warn')
        self.assertEqual(self.user_data(conn), {
            'simbudget.limit': '5GB', 'simbudget.period': 'days:8',
            'simbudget.timezone': 'Asia/Tokyo', 'simbudget.warn': '50,90',
            'simbudget.action': 'warn'})
        s = conn.GetSettings(dbus_interface='org.freedesktop.NetworkManager.Settings.Connection')
        self.assertEqual(str(s['gsm']['apn']), 'internet')
        self.assertEqual(str(s['connection']['id']), 'Travel')
        fields = dict(re.match(r'^([^:]+):\s+(.*)$', line).groups() for line in r.stdout.splitlines())
        self.assertEqual(fields['connection'], 'Travel (%s)' % GSM_UUID)
        self.assertEqual(fields['limit'], '5 GB')
        self.assertEqual(fields['period'], 'days:8')
        self.assertEqual(fields['start'], 'first-use')
        self.assertEqual(fields['time zone'], 'Asia/Tokyo')
        self.assertEqual(fields['warn at'], '50%, 90%')
        self.assertEqual(fields['action'], 'warn')
        self.assertEqual(fields['next reset'], '8 days after the first use')
        # no gsm.sim-id: say what that means and how to bind
        self.assertIn('has no gsm.sim-id', r.stderr)
        self.assertIn('simbudget set Travel sim-id ICCID', r.stderr)

    def test_merges_and_keeps_other_user_data(self):
        conn = self.add_connection('Travel', GSM_UUID, user={'simbudget.limit': '1GB', 'other.key': 'x'})
        r = self.run_cli('set', 'Travel', 'period', 'monthly:15')
        self.assertEqual(self.user_data(conn), {
            'simbudget.limit': '1GB', 'simbudget.period': 'monthly:15', 'other.key': 'x'})
        # the next reset is the coming 15th at midnight, in the system's zone (UTC here)
        today = datetime.datetime.fromtimestamp(now(), datetime.timezone.utc).date()
        nxt = today.replace(day=15)
        if today.day >= 15:
            nxt = (nxt.replace(day=1) + datetime.timedelta(days=32)).replace(day=15)
        expected = nxt.strftime('%b ') + str(nxt.day) + (' ' + str(nxt.year) if nxt.year != today.year else '')
        self.assertRegex(r.stdout, r'next reset:\s+%s 00:00 UTC \(in \d+ (days|hours)\)\n' % re.escape(expected))
        self.assertRegex(r.stdout, r'limit:\s+1 GB\n')

    def test_by_uuid_json(self):
        conn = self.add_connection('Travel', GSM_UUID)
        self.add_connection('Other', str(uuid.uuid4()))
        doc = json.loads(self.run_cli('--json', 'set', GSM_UUID, 'limit', '500MB').stdout)
        self.assertEqual(self.user_data(conn), {'simbudget.limit': '500MB'})
        self.assertEqual(doc['connection_id'], 'Travel')
        self.assertEqual(doc['connection_uuid'], GSM_UUID)
        self.assertIsNone(doc['sim_id'])
        self.assertEqual(doc['limit'], 500000000)
        self.assertEqual(doc['period'], 'monthly:1')
        self.assertEqual(doc['start'], 'first-use')
        self.assertEqual(doc['warn'], [80, 95])
        self.assertEqual(doc['action'], 'disconnect')
        self.assertGreater(doc['next_reset'], now())
        self.assertRegex(doc['next_reset_iso'], r'-01T00:00:00\+00:00$')

    def test_start_now(self):
        conn = self.add_connection('Travel', GSM_UUID)
        before = now()
        self.run_cli('set', 'Travel', 'start', 'now', 'period', 'days:8', 'timezone', 'Asia/Tokyo')
        after = now()
        start = self.user_data(conn)['simbudget.start']
        self.assertRegex(start, r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+09:00$')
        t = int(datetime.datetime.fromisoformat(start).timestamp())
        self.assertTrue(before <= t <= after, (before, start, after))

    def test_invalid_value_writes_nothing(self):
        conn = self.add_connection('Travel', GSM_UUID, user={'simbudget.limit': '1GB'})
        r = self.run_cli('set', 'Travel', 'limit', '5GB', 'period', 'fortnightly', expect=2)
        self.assertIn('simbudget.period: “fortnightly”', r.stderr)
        r = self.run_cli('set', 'Travel', 'warn', '80,120', expect=2)
        self.assertIn('simbudget.warn', r.stderr)
        r = self.run_cli('set', 'Travel', 'timezone', 'Mars/Olympus', expect=2)
        self.assertIn('Mars/Olympus', r.stderr)
        r = self.run_cli('set', 'Travel', 'colour', 'blue', expect=2)
        self.assertIn('unknown setting “colour”', r.stderr)
        r = self.run_cli('set', 'Travel', 'limit', expect=2)
        self.assertIn('“limit” needs a value', r.stderr)
        self.assertEqual(self.writes(conn), 0)
        self.assertEqual(self.user_data(conn), {'simbudget.limit': '1GB'})

    def test_sim_id(self):
        conn = self.add_connection('Travel', GSM_UUID)
        r = self.run_cli('set', 'Travel', 'sim-id', ICCID)
        s = conn.GetSettings(dbus_interface='org.freedesktop.NetworkManager.Settings.Connection')
        self.assertEqual(str(s['gsm']['sim-id']), ICCID)
        self.assertRegex(r.stdout, r'SIM:\s+%s\n' % ICCID)
        self.assertEqual(r.stderr, '')
        r = self.run_cli('set', 'Travel', 'sim-id', 'abc', expect=2)
        self.assertIn('not an ICCID', r.stderr)

    def test_show_without_changes(self):
        conn = self.add_connection('Travel', GSM_UUID, gsm={'sim-id': ICCID},
                                   user={'simbudget.limit': '20GB', 'simbudget.period': 'weekly:sun'})
        r = self.run_cli('set', 'Travel')
        self.assertEqual(self.writes(conn), 0)
        self.assertRegex(r.stdout, r'limit:\s+20 GB\n')
        self.assertRegex(r.stdout, r'period:\s+weekly:sun\n')
        self.assertEqual(r.stderr, '')

    def test_existing_invalid_budget(self):
        conn = self.add_connection('Travel', GSM_UUID, user={'simbudget.period': 'fortnightly'})
        r = self.run_cli('set', 'Travel', expect=1)
        self.assertTrue(r.stderr.startswith('simbudget: the budget of “Travel” is not valid: '
                                            'simbudget.period: “fortnightly”'), r.stderr)
        # a change that leaves it invalid is refused, one that fixes it is taken
        r = self.run_cli('set', 'Travel', 'limit', '1GB', expect=1)
        self.assertTrue(r.stderr.startswith('simbudget: not saved: simbudget.period'), r.stderr)
        self.assertEqual(self.writes(conn), 0)
        self.run_cli('set', 'Travel', 'period', 'weekly')
        self.assertEqual(self.user_data(conn), {'simbudget.period': 'weekly'})

    def test_unset(self):
        conn = self.add_connection('Travel', GSM_UUID,
                                   user={'simbudget.limit': '1GB', 'simbudget.warn': '90', 'other.key': 'x'})
        r = self.run_cli('unset', 'Travel')
        self.assertEqual(r.stdout, 'Removed the budget of “Travel”.\n')
        self.assertEqual(self.user_data(conn), {'other.key': 'x'})
        writes = self.writes(conn)
        r = self.run_cli('unset', 'Travel')
        self.assertEqual(r.stdout, '“Travel” has no budget.\n')
        self.assertEqual(self.writes(conn), writes)

    def test_unset_last_keys(self):
        conn = self.add_connection('Travel', GSM_UUID, user={'simbudget.limit': '1GB'})
        doc = json.loads(self.run_cli('unset', GSM_UUID, '--json').stdout)
        self.assertEqual(doc['removed'], ['simbudget.limit'])
        self.assertEqual(self.user_data(conn), {})

    def test_wrong_connections(self):
        self.add_connection('Cafe', str(uuid.uuid4()), type_='802-11-wireless')
        r = self.run_cli('set', 'Cafe', 'limit', '1GB', expect=1)
        self.assertEqual(r.stderr, 'simbudget: “Cafe” is a 802-11-wireless connection, '
                                   'not a mobile broadband (gsm) one\n')
        r = self.run_cli('unset', 'Nope', expect=1)
        self.assertEqual(r.stderr, 'simbudget: no connection “Nope”; see `nmcli connection show`\n')
        self.add_connection('Twin', str(uuid.uuid4()))
        self.add_connection('Twin', str(uuid.uuid4()))
        r = self.run_cli('set', 'Twin', 'limit', '1GB', expect=1)
        self.assertIn('several connections are called “Twin”', r.stderr)


class NoNetworkManagerTest(CliTestCase):

    def test_not_running(self):
        r = self.run_cli('set', 'Travel', 'limit', '1GB', expect=1)
        self.assertEqual(r.stderr, 'simbudget: NetworkManager is not running; '
                                   'budgets are kept in its connection profiles\n')
        # values are checked first, even then
        r = self.run_cli('set', 'Travel', 'limit', 'lots', expect=2)
        self.assertIn('“lots”', r.stderr)


if __name__ == '__main__':
    main()
