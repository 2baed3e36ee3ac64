#!/usr/bin/python3
"""Restarts, logins, a daemon or notification server that comes late, and
what simbudget-notify remembers between runs."""

import os
import subprocess

import dbus

import notifytest
from notifytest import GB, HOME, TRAVEL, NotifyTestCase


class Lifecycle(NotifyTestCase):

    def test_restart_does_not_repeat_warnings(self):
        self.start_daemon()
        self.start_notification_server()
        self.add_travel()
        self.start_agent()
        self.sb.EmitThresholdReached(TRAVEL, dbus.UInt32(80))
        self.wait_notify_count(1)
        self.wait_remembered(TRAVEL, 'threshold:80')
        self.stop_agent()

        # State "warning" at start shows nothing; the same threshold again
        # (a daemon that re-announces) neither; the next one does.
        self.start_agent()
        self.sb.EmitThresholdReached(TRAVEL, dbus.UInt32(80))
        self.sb.EmitThresholdReached(TRAVEL, dbus.UInt32(95))
        calls = self.wait_notify_count(2)
        self.assertEqual(str(calls[1][3]), 'Mobile data: 95% used')
        self.stop_agent()

    def test_new_period_warns_again(self):
        self.start_daemon()
        self.start_notification_server()
        travel = self.add_travel()
        self.start_agent()
        self.sb.EmitThresholdReached(TRAVEL, dbus.UInt32(80))
        self.wait_notify_count(1)
        self.wait_remembered(TRAVEL, 'threshold:80')
        self.stop_agent()

        self.set_props(TRAVEL, PeriodStart=travel['PeriodEnd'],
                       PeriodEnd=travel['PeriodEnd'] + 30 * 86400)
        self.start_agent()
        self.sb.EmitThresholdReached(TRAVEL, dbus.UInt32(80))
        calls = self.wait_notify_count(2)
        self.assertEqual(str(calls[1][3]), 'Mobile data: 80% used')

    def test_thresholds_passed_before_login_stay_quiet(self):
        self.start_daemon()
        self.start_notification_server()
        self.add_travel(State='warning')
        self.add_home(UsedBytes=21 * GB, State='exhausted')
        self.start_agent()
        # Only the exhausted profile is shown.
        [call] = self.wait_notify_count(1)
        self.assertTrue(str(call[4]).startswith('Vodafone SIM has used its 20 GB budget'), call[4])

    def test_exhausted_at_login_shown_once(self):
        self.start_daemon()
        self.start_notification_server()
        self.add_travel(UsedBytes=5 * GB, State='exhausted')
        self.add_home(State='ok')
        self.start_agent()
        [call] = self.wait_notify_count(1)
        self.assertEqual(str(call[3]), 'Mobile data stopped')
        self.assertEqual(int(self.hints(call)['urgency']), 2)
        self.wait_remembered(TRAVEL, 'exhausted:5000000000')
        self.stop_agent()

        for _ in range(2):
            self.start_agent()
            self.stop_agent()
        # A marker: had the cut-off been shown again, it would come first.
        self.start_agent()
        self.sb.EmitThresholdReached(HOME, dbus.UInt32(80))
        calls = self.wait_notify_count(2)
        self.assertEqual(str(calls[1][4]).split(':')[0], 'Vodafone SIM')

    def test_exhausted_again_after_allowing_more(self):
        # A new cut-off point (limit + allowance) is a new event.
        self.start_daemon()
        self.start_notification_server()
        self.add_travel(UsedBytes=5 * GB, State='exhausted')
        self.start_agent()
        self.wait_notify_count(1)
        self.set_props(TRAVEL, ExtraAllowance=500000000, State='overridden')
        self.set_props(TRAVEL, UsedBytes=5500000000, State='exhausted')
        calls = self.wait_notify_count(2)
        self.assertEqual(str(calls[1][3]), 'Mobile data stopped')

    def test_corrupt_memory_is_ignored(self):
        os.makedirs(os.path.dirname(self.memory_file))
        with open(self.memory_file, 'wb') as f:
            f.write(b'\xff\xfe[garbage\n=\x00')
        self.start_daemon()
        self.start_notification_server()
        self.add_travel(UsedBytes=5 * GB, State='exhausted')
        self.start_agent()
        self.wait_notify_count(1)
        # Rewritten whole: the next start knows it was shown.
        self.wait_remembered(TRAVEL, 'exhausted:5000000000')
        self.stop_agent()

    def test_unwritable_state_dir(self):
        # No memory on disk: it still works, once per run.
        with open(os.path.join(self.state_home, 'simbudget'), 'w') as f:
            f.write('a file where the directory should be')
        self.start_daemon()
        self.start_notification_server()
        self.add_travel()
        self.start_agent()
        self.sb.EmitThresholdReached(TRAVEL, dbus.UInt32(80))
        self.sb.EmitThresholdReached(TRAVEL, dbus.UInt32(80))
        self.sb.EmitThresholdReached(TRAVEL, dbus.UInt32(95))
        calls = self.wait_notify_count(2)
        self.assertEqual(str(calls[1][3]), 'Mobile data: 95% used')
        self.stop_agent()

    def test_daemon_starts_after_the_agent(self):
        self.start_notification_server()
        self.start_agent(wait_ready=False)
        self.start_daemon()
        self.add_travel(UsedBytes=5 * GB, State='exhausted')
        [call] = self.wait_notify_count(1)
        self.assertEqual(str(call[3]), 'Mobile data stopped')
        # Signals are followed too.
        self.add_home()
        self.sb.EmitThresholdReached(HOME, dbus.UInt32(80))
        self.wait_notify_count(2)
        self.stop_agent()

    def test_daemon_restarts(self):
        self.start_daemon()
        self.start_notification_server()
        self.add_travel(UsedBytes=5 * GB, State='exhausted')
        self.start_agent()
        self.wait_notify_count(1)

        self.stop_daemon()
        self.start_daemon()
        self.add_travel(UsedBytes=5 * GB, State='exhausted')
        self.add_home()
        self.assert_eventually(lambda: self.managed_objects_calls() > 0)
        # The cut-off is not repeated; the new daemon's signals arrive.
        self.sb.EmitThresholdReached(HOME, dbus.UInt32(80))
        calls = self.wait_notify_count(2)
        self.assertEqual(str(calls[1][4]).split(':')[0], 'Vodafone SIM')
        self.stop_agent()

    def test_no_daemon_at_all(self):
        self.start_notification_server()
        self.start_agent(wait_ready=False)
        self.wait_for_log('simbudgetd is not running')
        self.assertEqual(self.notify_calls(), [])
        self.stop_agent()

    def test_notification_server_appears_later(self):
        self.start_daemon()
        self.add_travel(UsedBytes=5 * GB, State='exhausted')
        self.start_agent()
        # It tried, found nobody, and waits for the name.
        self.wait_for_log('No notification server')
        self.start_notification_server()
        [call] = self.wait_notify_count(1)
        self.assertEqual(str(call[3]), 'Mobile data stopped')
        self.assertEqual(self.agent_output().count('No notification server'), 1)
        self.wait_remembered(TRAVEL, 'exhausted:5000000000')
        self.stop_agent()

        # Shown now, so remembered.
        self.start_agent()
        self.sb.EmitThresholdReached(TRAVEL, dbus.UInt32(80))
        self.add_home()
        self.sb.EmitThresholdReached(HOME, dbus.UInt32(80))
        calls = self.wait_notify_count(2)
        self.assertEqual(str(calls[1][4]).split(':')[0], 'Vodafone SIM')

    def test_notification_server_restarts(self):
        self.start_daemon()
        self.start_notification_server()
        self.add_travel()
        self.start_agent()
        self.sb.EmitThresholdReached(TRAVEL, dbus.UInt32(80))
        self.wait_notify_count(1)
        self._stop(self.notify_proc)
        self.assert_eventually(lambda: not self.session_con.name_has_owner('org.freedesktop.Notifications'))
        self.start_notification_server()
        # The new server knows nothing of the old id: a fresh notification.
        self.sb.EmitThresholdReached(TRAVEL, dbus.UInt32(95))
        [call] = self.wait_notify_count(1)
        self.assertEqual(int(call[1]), 0)
        self.stop_agent()

    def test_one_agent_per_session(self):
        self.start_notification_server()
        self.start_agent(wait_ready=False)
        self.wait_for_log('simbudgetd is not running')
        second = subprocess.run([self.agent_bin], capture_output=True, text=True,
                                env=self.agent_env(), timeout=30)
        self.assertEqual(second.returncode, 0)
        self.assertIn('already running', second.stderr)
        self.stop_agent()

    def test_version_and_help(self):
        r = subprocess.run([self.agent_bin, '--version'], capture_output=True, text=True,
                           env=self.agent_env(), timeout=30)
        self.assertEqual(r.returncode, 0)
        self.assertRegex(r.stdout, r'^simbudget-notify \d+\.\d+\.\d+\n$')
        r = subprocess.run([self.agent_bin, '--help'], capture_output=True, text=True,
                           env=self.agent_env(), timeout=30)
        self.assertEqual(r.returncode, 0)
        self.assertIn('--version', r.stdout)
        r = subprocess.run([self.agent_bin, '--bogus'], capture_output=True, text=True,
                           env=self.agent_env(), timeout=30)
        self.assertEqual(r.returncode, 2)
        self.assertIn('--bogus', r.stderr)


if __name__ == '__main__':
    notifytest.main()
