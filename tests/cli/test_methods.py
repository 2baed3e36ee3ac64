#!/usr/bin/python3
"""simbudget override and set-used: the calls that reach the daemon, what
is printed after them, refusals."""

import fcntl
import json
import os
import subprocess
import termios

import dbusmock

from clitest import CliTestCase, HOME, TRAVEL, main

UNLIMITED = 2 ** 64 - 1


class OverrideTest(CliTestCase):

    def setUp(self):
        super().setUp()
        self.start_sb()
        self.add_travel(UsedBytes=5000000000, State='exhausted')
        self.add_home()

    def test_default_size_is_500mb(self):
        # the same step as the notification's "Allow 500 MB more"
        self.run_cli('override', 'Travel')
        self.assertEqual(self.profile_calls(TRAVEL, 'Override'), [[500000000]])

    def test_size(self):
        r = self.run_cli('override', '3440', '500MB')
        self.assertEqual(self.profile_calls(TRAVEL, 'Override'), [[500000000]])
        self.assertEqual(r.stdout.splitlines(), [
            'Allowed 500 MB more for %s (Travel).' % TRAVEL,
            'Used this period: 5 GB; extra allowance: 500 MB; state: overridden',
        ])
        # each call adds
        self.run_cli('override', 'Travel', '1.5GiB')
        self.assertEqual(self.profile_calls(TRAVEL, 'Override'), [[500000000], [1610612736]])
        self.assertEqual(self.profile_calls(HOME, 'Override'), [])

    def test_unlimited(self):
        r = self.run_cli('override', 'Travel', 'unlimited')
        self.assertEqual(self.profile_calls(TRAVEL, 'Override'), [[0]])
        self.assertEqual(r.stdout.splitlines()[0],
                         'No cut-off for %s (Travel) until the period ends.' % TRAVEL)
        self.assertIn('extra allowance: unlimited until the period ends', r.stdout)

    def test_json_shows_profile_afterwards(self):
        doc = json.loads(self.run_cli('override', 'Travel', '2GB', '--json').stdout)
        self.assertEqual(doc['iccid'], TRAVEL)
        self.assertEqual(doc['extra_allowance'], 2000000000)
        self.assertEqual(doc['state'], 'overridden')
        self.assertEqual(doc['remaining_bytes'], 2000000000)

    def test_refused(self):
        self.sb.SetAuthorized('org.simbudget.override', False)
        r = self.run_cli('override', 'Travel', '500MB', expect=1)
        self.assertEqual(r.stdout, '')
        self.assertEqual(r.stderr, 'simbudget: Not authorized to allow more data for this profile '
                                   '(polkit action org.simbudget.override)\n')
        # it was asked, and nothing changed
        self.assertEqual(self.profile_calls(TRAVEL, 'Override'), [[500000000]])
        doc = json.loads(self.run_cli('--json', 'status', 'Travel').stdout)
        self.assertEqual(doc['extra_allowance'], 0)

    def test_bad_values(self):
        r = self.run_cli('override', 'Travel', '0', expect=2)
        self.assertIn('“unlimited”', r.stderr)
        r = self.run_cli('override', 'Travel', '5XB', expect=2)
        self.assertIn('“5XB” is not a size', r.stderr)
        r = self.run_cli('override', expect=2)
        self.assertIn('Usage:', r.stderr)
        r = self.run_cli('override', 'Travel', '1GB', 'more', expect=2)
        self.assertIn('unexpected argument “more”', r.stderr)
        r = self.run_cli('override', 'nope', '1GB', expect=1)
        self.assertEqual(r.stderr, 'simbudget: no profile matches “nope”; see `simbudget status`\n')
        self.assertEqual(self.profile_calls(TRAVEL, 'Override'), [])


class SetUsedTest(CliTestCase):

    def setUp(self):
        super().setUp()
        self.start_sb()
        self.add_travel()

    def test_set_used(self):
        r = self.run_cli('set-used', 'Travel', '4.2GB')
        self.assertEqual(self.profile_calls(TRAVEL, 'SetUsed'), [[4200000000]])
        self.assertEqual(r.stdout.splitlines(), [
            'Recorded 4.2 GB as used this period by %s (Travel).' % TRAVEL,
            'Used this period: 4.2 GB; extra allowance: none; state: warning',
        ])
        self.run_cli('set-used', TRAVEL, '0')
        self.assertEqual(self.profile_calls(TRAVEL, 'SetUsed'), [[4200000000], [0]])

    def test_refused(self):
        self.sb.SetAuthorized('org.simbudget.manage', False)
        r = self.run_cli('set-used', 'Travel', '1GB', expect=1)
        self.assertEqual(r.stderr, 'simbudget: Not authorized to correct the usage of this profile '
                                   '(polkit action org.simbudget.manage)\n')
        doc = json.loads(self.run_cli('--json', 'status', 'Travel').stdout)
        self.assertEqual(doc['used_bytes'], 1230000000)

    def test_bad_values(self):
        r = self.run_cli('set-used', 'Travel', '-1GB', expect=2)
        self.assertIn('unknown option “-1GB”', r.stderr)
        r = self.run_cli('set-used', 'Travel', 'lots', expect=2)
        self.assertIn('“lots” is not a size', r.stderr)
        self.assertEqual(self.profile_calls(TRAVEL, 'SetUsed'), [])


class AgentTest(CliTestCase):
    """On a terminal, a text authentication agent is registered for the
    process around the call, so polkit can ask for a password."""

    def setUp(self):
        super().setUp()
        self.start_sb()
        self.add_travel()
        proc, obj = self.spawn_server_template('polkitd', {}, stdout=subprocess.DEVNULL)
        self.addCleanup(self._stop, proc)
        self.polkit = obj
        obj.AddMethod('org.freedesktop.PolicyKit1.Authority', 'UnregisterAuthenticationAgent',
                             '(sa{sv})s', '', '', dbus_interface=dbusmock.MOCK_IFACE)

    def run_on_terminal(self, *args):
        controller, terminal = os.openpty()
        self.addCleanup(os.close, controller)

        def take_terminal():
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        proc = subprocess.Popen([self.cli] + list(args), stdin=terminal, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=self.cli_env(), preexec_fn=take_terminal)
        os.close(terminal)
        out, err = proc.communicate(timeout=30)
        return proc.pid, proc.returncode, out.decode(), err.decode()

    def agent_calls(self, method):
        return [list(args) for _, args in self.polkit.GetMethodCalls(method, dbus_interface=dbusmock.MOCK_IFACE)]

    def test_agent_around_the_call(self):
        pid, code, out, err = self.run_on_terminal('override', 'Travel', '1GB')
        self.assertEqual((code, err), (0, ''), out)
        self.assertEqual(self.profile_calls(TRAVEL, 'Override'), [[1000000000]])
        registered = self.agent_calls('RegisterAuthenticationAgent')
        self.assertEqual(len(registered), 1)
        subject = registered[0][0]
        self.assertEqual(str(subject[0]), 'unix-process')
        self.assertEqual(int(subject[1]['pid']), pid)
        self.assertEqual(len(self.agent_calls('UnregisterAuthenticationAgent')), 1)

    def test_no_agent_without_terminal(self):
        self.run_cli('set-used', 'Travel', '1GB')
        self.run_cli('status')
        self.assertEqual(self.agent_calls('RegisterAuthenticationAgent'), [])

    def test_no_agent_for_reading(self):
        pid, code, out, err = self.run_on_terminal('status', 'Travel')
        self.assertEqual((code, err), (0, ''), out)
        self.assertEqual(self.agent_calls('RegisterAuthenticationAgent'), [])


if __name__ == '__main__':
    main()
