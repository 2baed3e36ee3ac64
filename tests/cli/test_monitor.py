#!/usr/bin/python3
"""simbudget monitor: a line per change, signal and profile, until SIGINT."""

import json
import signal

import dbus

from clitest import CliTestCase, HOME, TRAVEL, main

STAMP = r'^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d  '


class MonitorTest(CliTestCase):

    def setUp(self):
        super().setUp()
        self.start_sb()
        self.add_travel()
        self.add_home()

    def start_monitor(self, *args):
        return self.spawn_cli(*args, 'monitor')

    def stop_monitor(self, proc, sig=signal.SIGINT):
        code, rest, err = self.finish(proc, sig)
        self.assertEqual(code, 0)
        self.assertEqual(err, '')
        return rest

    def test_changes_and_signals(self):
        proc = self.start_monitor()
        # the state now, one line per profile
        self.assertRegex(self.read_line(proc), STAMP + r'%s \(Home\)  used 1 MB, state untracked$' % HOME)
        self.assertRegex(self.read_line(proc),
                         STAMP + r'%s \(Travel\)  used 1\.23 GB of 5 GB \(24%%\), state ok$' % TRAVEL)

        self.set_props(TRAVEL, UsedBytes=dbus.UInt64(1242000000))
        self.assertRegex(self.read_line(proc), STAMP + r'%s \(Travel\)  used 1\.24 GB \(\+12 MB\)$' % TRAVEL)

        self.set_props(TRAVEL, UsedBytes=dbus.UInt64(4100000000), State='warning')
        self.assertRegex(self.read_line(proc),
                         r'  used 4\.1 GB \(\+2\.86 GB\), state warning$')

        self.sb.EmitThresholdReached(TRAVEL, dbus.UInt32(80))
        self.assertRegex(self.read_line(proc), r'  threshold 80% reached: 4\.1 GB of 5 GB$')

        self.set_props(TRAVEL, UsedBytes=dbus.UInt64(5000000000), State='exhausted', Active=False)
        self.assertRegex(self.read_line(proc),
                         r'  used 5 GB \(\+900 MB\), state exhausted, active no$')
        self.sb.EmitBudgetExhausted(TRAVEL, True)
        self.assertRegex(self.read_line(proc), r'  budget exhausted: 5 GB of 5 GB; disconnected$')

        # a correction can go down; byte counters alone say nothing new
        self.set_props(TRAVEL, UsedBytes=dbus.UInt64(4000000000), RxBytes=dbus.UInt64(1))
        self.assertRegex(self.read_line(proc), r'  used 4 GB \(−1 GB\)$')
        self.set_props(TRAVEL, TotalBytes=dbus.UInt64(1))
        self.set_props(HOME, ConfigError='simbudget.limit: “lots” is not a size')
        self.assertRegex(self.read_line(proc),
                         STAMP + r'%s \(Home\)  config error: simbudget\.limit: “lots” is not a size$' % HOME)

        self.assertEqual(self.stop_monitor(proc), '')

    def test_profiles_added_and_removed(self):
        proc = self.start_monitor()
        self.read_line(proc)
        self.read_line(proc)
        self.add_profile('8901260000000000001', SimType='esim', ConnectionId='Spare')
        self.assertRegex(self.read_line(proc),
                         STAMP + r'8901260000000000001 \(Spare\)  profile added: used 0 B, state untracked$')
        self.sb.RemoveProfile('8901260000000000001')
        self.assertRegex(self.read_line(proc), STAMP + r'8901260000000000001 \(Spare\)  profile removed$')
        self.assertEqual(self.stop_monitor(proc, signal.SIGTERM), '')

    def test_service_goes_away(self):
        proc = self.start_monitor()
        self.read_line(proc)
        self.read_line(proc)
        self.stop_sb()
        # one line, not one per profile
        self.assertRegex(self.read_line(proc), STAMP + 'the simbudget service stopped$')
        self.assertEqual(self.stop_monitor(proc), '')

    def test_json_lines(self):
        proc = self.start_monitor('--json')
        first = json.loads(self.read_line(proc))
        second = json.loads(self.read_line(proc))
        self.assertEqual((first['event'], first['iccid']), ('profile', HOME))
        self.assertEqual((second['event'], second['profile']['used_bytes']), ('profile', 1230000000))

        self.set_props(TRAVEL, UsedBytes=dbus.UInt64(4100000000), State='warning')
        event = json.loads(self.read_line(proc))
        self.assertEqual(event['event'], 'changed')
        self.assertEqual(event['iccid'], TRAVEL)
        self.assertEqual(event['changes'], {'used_bytes': 4100000000, 'state': 'warning'})
        self.assertRegex(event['time_iso'], r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$')

        self.sb.EmitThresholdReached(TRAVEL, dbus.UInt32(80))
        event = json.loads(self.read_line(proc))
        self.assertEqual({k: event[k] for k in ('event', 'percent', 'used', 'limit')},
                         {'event': 'threshold_reached', 'percent': 80, 'used': 4100000000,
                          'limit': 5000000000})

        self.sb.EmitBudgetExhausted(TRAVEL, False)
        event = json.loads(self.read_line(proc))
        self.assertEqual((event['event'], event['disconnected']), ('budget_exhausted', False))

        self.sb.RemoveProfile(HOME)
        event = json.loads(self.read_line(proc))
        self.assertEqual((event['event'], event['iccid']), ('profile_removed', HOME))
        self.assertEqual(self.stop_monitor(proc), '')


if __name__ == '__main__':
    main()
