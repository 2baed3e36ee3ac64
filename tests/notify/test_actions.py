#!/usr/bin/python3
"""The buttons of the cut-off notification call Override on the profile."""

import notifytest
from notifytest import GB, TRAVEL, NotifyTestCase, notification_ids


class Actions(NotifyTestCase):

    def setUp(self):
        super().setUp()
        self.start_daemon()
        self.start_notification_server()
        self.add_travel(UsedBytes=5 * GB)
        self.start_agent()
        self.sb.EmitBudgetExhausted(TRAVEL, True)
        self.set_props(TRAVEL, State='exhausted')
        calls = self.wait_notify_count(1)
        self.cut_id = notification_ids(calls)[0]

    def test_allow_500mb_more(self):
        # Another application's notification with the same action key must
        # not be taken for ours.
        self.invoke_action(self.cut_id + 100, 'allow-500mb')
        self.invoke_action(self.cut_id, 'allow-500mb')
        self.assert_eventually(lambda: self.profile_calls(TRAVEL, 'Override'))
        self.assertEqual(self.profile_calls(TRAVEL, 'Override'), [[500000000]])
        # The daemon lifted the cut (the mock says "overridden"): the
        # notification goes, nothing new is shown.
        self.assert_eventually(lambda: self.notify_calls('CloseNotification'))
        self.assertEqual(len(self.notify_calls()), 1)
        self.stop_agent()

    def test_allow_until_the_period_ends(self):
        self.invoke_action(self.cut_id, 'allow-period')
        self.assert_eventually(lambda: self.profile_calls(TRAVEL, 'Override'))
        self.assertEqual(self.profile_calls(TRAVEL, 'Override'), [[0]])

    def test_unknown_action_ignored(self):
        self.invoke_action(self.cut_id, 'default')
        self.invoke_action(self.cut_id, 'allow-everything')
        self.invoke_action(self.cut_id, 'allow-period')
        self.assert_eventually(lambda: self.profile_calls(TRAVEL, 'Override'))
        self.assertEqual(self.profile_calls(TRAVEL, 'Override'), [[0]])

    def test_refused(self):
        self.sb.SetAuthorized('org.simbudget.override', False)
        self.invoke_action(self.cut_id, 'allow-500mb')
        calls = self.wait_notify_count(2)
        self.assertEqual(self.profile_calls(TRAVEL, 'Override'), [[500000000]])
        # One notification per profile: the refusal replaces the cut-off one.
        self.assertEqual(int(calls[1][1]), self.cut_id)
        self.assert_notification(
            calls[1], 'More data was not allowed',
            'Japan Travel eSIM stays turned off: permission to allow more data was refused.',
            urgency=1)
        self.stop_agent()

    def test_profile_gone(self):
        self.sb.RemoveProfile(TRAVEL)
        self.wait_for_log('No longer following')
        self.invoke_action(self.cut_id, 'allow-500mb')
        calls = self.wait_notify_count(2)
        self.assertEqual(int(calls[1][1]), self.cut_id)
        self.assertEqual(str(calls[1][3]), 'More data was not allowed')
        self.assertEqual(str(calls[1][4]),
                         'SIM …3440 stays turned off: simbudget no longer knows this SIM profile.')

    def test_daemon_gone(self):
        self.stop_daemon()
        self.wait_for_log('simbudgetd is not running')
        self.invoke_action(self.cut_id, 'allow-period')
        calls = self.wait_notify_count(2)
        self.assertEqual(str(calls[1][4]),
                         'SIM …3440 stays turned off: the simbudget service is not running.')
        self.stop_agent()


if __name__ == '__main__':
    notifytest.main()
