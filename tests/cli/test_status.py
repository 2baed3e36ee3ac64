#!/usr/bin/python3
"""simbudget status: the table, the detailed view, --json, naming profiles."""

import json
import re

import dbus

from clitest import CliTestCase, HOME, TRAVEL, local, main, now


def row_of(table, iccid_text):
    for line in table.splitlines():
        if line.startswith(iccid_text):
            return line
    raise AssertionError('no row for %s in:\n%s' % (iccid_text, table))


class StatusTest(CliTestCase):

    def setUp(self):
        super().setUp()
        self.start_sb()

    def test_table(self):
        self.add_travel()
        self.add_home()
        out = self.run_cli('status').stdout
        lines = out.splitlines()
        self.assertRegex(lines[0], r'^PROFILE\s+CONNECTION\s+TYPE\s+OPERATOR\s+ACTIVE\s+USED\s+'
                                   r'LIMIT\s+%\s+STATE\s+RESETS\s+TOTAL$')
        # sorted by ICCID, full ICCIDs when not on a narrow terminal
        self.assertTrue(lines[1].startswith(HOME), out)
        self.assertTrue(lines[2].startswith(TRAVEL), out)
        self.assertRegex(row_of(out, TRAVEL),
                         r'^%s\s+Travel\s+esim\s+Rakuten\s+yes\s+1\.23 GB\s+5 GB\s+24%%\s+ok\s+'
                         r'in 3 days\s+9\.88 GB$' % TRAVEL)
        self.assertRegex(row_of(out, HOME),
                         r'^%s\s+Home\s+physical\s+Vodafone\s+no\s+1 MB\s+none\s+—\s+untracked\s+'
                         r'never\s+2 MB$' % HOME)

    def test_table_columns_line_up(self):
        self.add_travel()
        self.add_home()
        lines = self.run_cli('status').stdout.splitlines()
        # right-aligned sizes end in the same column as their header
        used_end = lines[0].index('USED') + len('USED')
        for line in lines[1:]:
            self.assertEqual(line[used_end - 1], 'B', line)
            self.assertEqual(line[used_end], ' ', line)

    def test_table_resets_far_away_in_profile_zone(self):
        end = now() + 20 * 86400
        self.add_travel(PeriodEnd=end, Period='monthly:1')
        out = self.run_cli('status').stdout
        when = local(end, 'Asia/Tokyo')
        fmt = '%b {d} %H:%M JST' if when.year == local(now(), 'Asia/Tokyo').year else '%b {d} %Y %H:%M JST'
        expected = when.strftime(fmt.replace('{d}', str(when.day)))
        self.assertIn('  %s  ' % expected, row_of(out, TRAVEL))

    def test_table_expired_and_first_use(self):
        self.add_travel(State='expired', PeriodEnd=now() - 60)
        self.add_home(Period='days:8', PeriodStart=0, PeriodEnd=0, Limit=1000000000, State='ok')
        out = self.run_cli('status').stdout
        self.assertRegex(row_of(out, TRAVEL), r'\sexpired\s+expired\s')
        self.assertIn('after first use', row_of(out, HOME))

    def test_narrow_terminal_shortens_iccids(self):
        self.add_travel()
        self.add_home()
        out = self.run_cli('status', env={'COLUMNS': '60'}).stdout
        self.assertTrue(row_of(out, '…52233440'))
        self.assertTrue(row_of(out, '…98304826'))
        self.assertNotIn(TRAVEL, out)
        # a wide one keeps them whole
        out = self.run_cli('status', env={'COLUMNS': '300'}).stdout
        self.assertIn(TRAVEL, out)
        self.assertNotIn('…', out)

    def test_no_profiles(self):
        r = self.run_cli('status')
        self.assertEqual(r.stdout, 'No SIM profile has been seen yet.\n')
        doc = json.loads(self.run_cli('--json', 'status').stdout)
        self.assertEqual(doc['profiles'], [])

    def test_config_error_is_shown(self):
        self.add_travel(ConfigError='simbudget.period: “fortnightly” is not a period')
        out = self.run_cli('status').stdout
        self.assertIn('%s: budget not applied: simbudget.period: “fortnightly” is not a period'
                      % TRAVEL, out)

    def test_storage_problem_is_shown(self):
        self.add_travel()
        self.sb.SetStorageState('read-only: /var/lib/simbudget')
        r = self.run_cli('status')
        self.assertEqual(r.stderr, 'simbudget: warning: the service cannot save usage: '
                                   'read-only: /var/lib/simbudget\n')
        self.assertIn(TRAVEL, r.stdout)
        doc = json.loads(self.run_cli('--json', 'status').stdout)
        self.assertEqual(doc['storage_state'], 'read-only: /var/lib/simbudget')
        self.sb.SetStorageState('ok')
        self.assertEqual(self.run_cli('status').stderr, '')

    def test_json(self):
        start = now() - 5 * 86400
        self.add_travel(PeriodStart=start, Thresholds=dbus.Array([50, 90], signature='u'),
                        ExtraAllowance=2 ** 64 - 1, State='overridden')
        self.add_home()
        doc = json.loads(self.run_cli('--json', 'status').stdout)
        self.assertEqual(doc['version'], '0.1.0')
        self.assertEqual(doc['storage_state'], 'ok')
        self.assertEqual([p['iccid'] for p in doc['profiles']], [HOME, TRAVEL])
        p = doc['profiles'][1]
        self.assertEqual(set(p.keys()), {
            'object_path', 'iccid', 'eid', 'sim_type', 'operator_name', 'active', 'interface',
            'connection_uuid', 'connection_id', 'limit', 'period', 'time_zone', 'thresholds',
            'action', 'period_start', 'period_start_iso', 'period_end', 'period_end_iso',
            'used_bytes', 'rx_bytes', 'tx_bytes', 'total_bytes', 'extra_allowance',
            'remaining_bytes', 'state', 'config_error', 'enforcement'})
        self.assertEqual(p['limit'], 5000000000)
        self.assertEqual(p['used_bytes'], 1230000000)
        self.assertEqual(p['rx_bytes'], 1000000000)
        self.assertEqual(p['tx_bytes'], 230000000)
        self.assertEqual(p['total_bytes'], 9876543210)
        self.assertEqual(p['extra_allowance'], 2 ** 64 - 1)
        self.assertEqual(p['remaining_bytes'], 2 ** 64 - 1 - 1230000000)
        self.assertIs(p['active'], True)
        self.assertEqual(p['thresholds'], [50, 90])
        self.assertEqual(p['sim_type'], 'esim')
        self.assertEqual(p['state'], 'overridden')
        self.assertEqual(p['period_start'], start)
        self.assertEqual(p['period_start_iso'],
                         local(start, 'Asia/Tokyo').strftime('%Y-%m-%dT%H:%M:%S+09:00'))
        home = doc['profiles'][0]
        self.assertIsNone(home['remaining_bytes'])
        self.assertEqual(home['period_end'], 0)
        self.assertIsNone(home['period_end_iso'])

    def test_json_after_the_verb(self):
        self.add_travel()
        before = json.loads(self.run_cli('--json', 'status', TRAVEL).stdout)
        after = json.loads(self.run_cli('status', TRAVEL, '--json').stdout)
        self.assertEqual(before, after)
        self.assertEqual(after['iccid'], TRAVEL)
        self.assertEqual(after['connection_id'], 'Travel')

    def test_detail(self):
        end = now() + 3 * 86400 + 600
        self.add_travel(PeriodEnd=end, ExtraAllowance=500000000,
                        ConfigError='two connections claim this SIM', Eid='89049032000001000000')
        out = self.run_cli('status', TRAVEL).stdout
        fields = dict(re.match(r'^([^:]+):\s+(.*)$', line).groups()
                      for line in out.splitlines())
        self.assertEqual(fields['ICCID'], TRAVEL)
        self.assertEqual(fields['EID'], '89049032000001000000')
        self.assertEqual(fields['type'], 'esim')
        self.assertEqual(fields['operator'], 'Rakuten')
        self.assertEqual(fields['active'], 'yes (wwan0)')
        self.assertEqual(fields['connection'], 'Travel (0b7b5b4e-9a0b-4d53-8b8a-2d3f6a0c6f11)')
        self.assertEqual(fields['used'], '1.23 GB (24%)')
        self.assertEqual(fields['limit'], '5 GB')
        self.assertEqual(fields['extra allowance'], '500 MB')
        self.assertEqual(fields['remaining'], '4.27 GB')
        self.assertEqual(fields['period'], 'days:8')
        self.assertEqual(fields['time zone'], 'Asia/Tokyo')
        self.assertRegex(fields['period end'], r' JST \(in 3 days\)$')
        self.assertEqual(fields['warn at'], '80%, 95%')
        self.assertEqual(fields['action'], 'disconnect')
        self.assertEqual(fields['enforcement'], 'disconnect')
        self.assertEqual(fields['config error'], 'two connections claim this SIM')
        self.assertEqual(fields['total (all time)'], '9.88 GB')
        # values line up
        self.assertEqual(len({line.index(v) for line, v in
                              zip(out.splitlines(), fields.values())}), 1)


class MatchTest(CliTestCase):

    def setUp(self):
        super().setUp()
        self.start_sb()
        self.add_travel()
        self.add_home()

    def iccid_shown(self, query):
        return json.loads(self.run_cli('--json', 'status', query).stdout)['iccid']

    def test_exact_suffix_and_connection_id(self):
        self.assertEqual(self.iccid_shown(TRAVEL), TRAVEL)
        self.assertEqual(self.iccid_shown('3440'), TRAVEL)
        self.assertEqual(self.iccid_shown('826'), HOME)
        self.assertEqual(self.iccid_shown('Travel'), TRAVEL)
        self.assertEqual(self.iccid_shown('Home'), HOME)

    def test_ambiguous_suffix(self):
        self.add_profile('8981100022152299440', ConnectionId='Spare')
        r = self.run_cli('status', '440', expect=1)
        self.assertEqual(r.stdout, '')
        self.assertTrue(r.stderr.startswith('simbudget: “440” matches several profiles'), r.stderr)
        self.assertIn('  %s (Travel)\n' % TRAVEL, r.stderr)
        self.assertIn('  8981100022152299440 (Spare)\n', r.stderr)
        # more digits settle it
        self.assertEqual(self.iccid_shown('99440'), '8981100022152299440')

    def test_no_match(self):
        r = self.run_cli('status', 'nope', expect=1)
        self.assertEqual(r.stdout, '')
        self.assertEqual(r.stderr, 'simbudget: no profile matches “nope”; see `simbudget status`\n')
        # a middle part of an ICCID is not an ending
        r = self.run_cli('status', '2215', expect=1)
        self.assertIn('no profile matches “2215”', r.stderr)

    def test_connection_id_before_suffix(self):
        # a connection named like the ending of another profile's ICCID
        self.set_props(HOME, ConnectionId='3440')
        self.assertEqual(self.iccid_shown('3440'), HOME)


if __name__ == '__main__':
    main()
