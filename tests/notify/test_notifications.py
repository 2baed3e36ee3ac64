#!/usr/bin/python3
"""What simbudget-notify shows for the daemon's signals and states."""

import os
import subprocess
import tempfile

import dbus

import notifytest
from notifytest import (GB, HOME, TRAVEL, NotifyTestCase, c_format, date_text,
                        notification_ids)

# A made-up language: its catalog is built by the test itself, so that
# SIMBUDGET_LOCALEDIR, LANGUAGE with C.UTF-8, UTF-8 output, positional
# arguments and the translated date format are checked whatever state
# po/ is in.
TEST_PO = r'''msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"

msgid "Mobile data stopped"
msgstr "移动数据已停止"

msgid "%s has used its %s budget; the connection was turned off until %s."
msgstr "在 %3$s 之前已断开 — %1$s 已用完 %2$s 流量预算。"

msgid "%-d %b at %H:%M"
msgstr "%-m月%-d日 %H:%M"

msgid "Allow %s more"
msgstr "追加 %s"
'''


class Notifications(NotifyTestCase):

    def setUp(self):
        super().setUp()
        self.start_daemon()
        self.start_notification_server()

    def test_threshold_warning(self):
        travel = self.add_travel()
        self.start_agent()
        self.sb.EmitThresholdReached(TRAVEL, dbus.UInt32(80))
        [call] = self.wait_notify_count(1)
        self.assert_notification(
            call, 'Mobile data: 80% used',
            'Japan Travel eSIM: 4 GB of 5 GB used. Resets on %s.'
            % date_text(travel['PeriodEnd'], 'UTC'),
            urgency=1)
        self.assertEqual(int(call[1]), 0)
        self.assertEqual(str(self.hints(call)['category']), 'network')
        self.assertFalse(bool(self.hints(call)['resident']))
        self.stop_agent()

    def test_threshold_of_a_plan_that_ends(self):
        # days:N plans end rather than reset; no connection id: the
        # operator and kind of SIM name the profile.
        travel = self.add_travel(Period='days:8', ConnectionId='', UsedBytes=4750000000)
        self.start_agent()
        self.sb.EmitThresholdReached(TRAVEL, dbus.UInt32(95))
        [call] = self.wait_notify_count(1)
        self.assert_notification(
            call, 'Mobile data: 95% used',
            'Rakuten eSIM: 4.75 GB of 5 GB used. Valid until %s.'
            % date_text(travel['PeriodEnd'], 'UTC'),
            urgency=1)

    def test_date_in_the_profile_zone(self):
        # The plan's zone differs from the local one (TZ=UTC): its
        # abbreviation is added.
        travel = self.add_travel(TimeZone='Asia/Tokyo')
        self.start_agent()
        self.sb.EmitThresholdReached(TRAVEL, dbus.UInt32(80))
        [call] = self.wait_notify_count(1)
        self.assertEqual(str(call[4]),
                         'Japan Travel eSIM: 4 GB of 5 GB used. Resets on %s.'
                         % date_text(travel['PeriodEnd'], 'Asia/Tokyo', '%-d %b at %H:%M %Z'))

    def test_budget_exhausted_critical_with_actions(self):
        travel = self.add_travel(UsedBytes=5 * GB)
        self.start_agent()
        self.sb.EmitBudgetExhausted(TRAVEL, True)
        [call] = self.wait_notify_count(1)
        self.assert_notification(
            call, 'Mobile data stopped',
            'Japan Travel eSIM has used its 5 GB budget; the connection was turned off until %s.'
            % date_text(travel['PeriodEnd'], 'UTC'),
            urgency=2,
            actions=['allow-500mb', 'Allow 500 MB more',
                     'allow-period', 'Allow until the period ends'])
        self.assertEqual(str(self.hints(call)['category']), 'network.disconnected')
        self.stop_agent()

    def test_budget_exhausted_without_cut(self):
        # action "warn": nothing to allow, no buttons, still critical.
        self.add_travel(UsedBytes=5 * GB, Action='warn', Enforcement='none')
        self.start_agent()
        self.sb.EmitBudgetExhausted(TRAVEL, False)
        [call] = self.wait_notify_count(1)
        self.assert_notification(call, 'Mobile data budget used up',
                                 'Japan Travel eSIM has used its 5 GB budget.', urgency=2)

    def test_second_event_replaces_the_first(self):
        self.add_travel()
        self.add_home(UsedBytes=16 * GB)
        # Someone else's notification first, so the agent's ids are not 1.
        self.notify.Notify('other', dbus.UInt32(0), '', 'other', '', dbus.Array([], signature='s'),
                           dbus.Dictionary({}, signature='sv'), -1,
                           dbus_interface='org.freedesktop.Notifications')
        self.start_agent()
        self.sb.EmitThresholdReached(TRAVEL, dbus.UInt32(80))
        self.wait_notify_count(2)
        self.sb.EmitThresholdReached(TRAVEL, dbus.UInt32(95))
        self.wait_notify_count(3)
        self.set_props(TRAVEL, UsedBytes=5 * GB)
        self.sb.EmitBudgetExhausted(TRAVEL, True)
        self.wait_notify_count(4)
        # Another profile has a notification of its own.
        self.sb.EmitThresholdReached(HOME, dbus.UInt32(80))
        calls = self.wait_notify_count(5)
        ids = notification_ids(calls)

        self.assertEqual(int(calls[1][1]), 0)
        self.assertEqual(int(calls[2][1]), ids[1])
        self.assertEqual(int(calls[3][1]), ids[1])
        self.assertEqual(str(calls[3][3]), 'Mobile data stopped')
        self.assertEqual(int(calls[4][1]), 0)
        self.assertNotEqual(ids[4], ids[1])
        self.assertEqual(str(calls[4][4]).split(':')[0], 'Vodafone SIM')

    def test_same_event_twice_is_shown_once(self):
        self.add_travel()
        self.add_home()
        self.start_agent()
        self.sb.EmitThresholdReached(TRAVEL, dbus.UInt32(80))
        self.sb.EmitThresholdReached(TRAVEL, dbus.UInt32(80))
        # Signals arrive in order: once this one shows, the repeat is past.
        self.sb.EmitThresholdReached(HOME, dbus.UInt32(80))
        calls = self.wait_notify_count(2)
        self.assertEqual([str(c[3]) for c in calls], ['Mobile data: 80% used'] * 2)
        self.assertEqual([str(c[4]).split(':')[0] for c in calls],
                         ['Japan Travel eSIM', 'Vodafone SIM'])

    def test_warning_does_not_cover_the_cut_off(self):
        self.add_travel(UsedBytes=5 * GB)
        self.add_home()
        self.start_agent()
        self.sb.EmitBudgetExhausted(TRAVEL, True)
        self.wait_notify_count(1)
        self.set_props(TRAVEL, State='exhausted')
        # A late warning for the same profile, then a marker.
        self.sb.EmitThresholdReached(TRAVEL, dbus.UInt32(95))
        self.sb.EmitThresholdReached(HOME, dbus.UInt32(80))
        calls = self.wait_notify_count(2)
        self.assertEqual(str(calls[1][4]).split(':')[0], 'Vodafone SIM')

    def test_exhausted_state_backs_up_the_signal(self):
        # The State property alone (no signal) brings the notification.
        self.add_travel()
        self.start_agent()
        self.set_props(TRAVEL, UsedBytes=5 * GB, State='exhausted')
        [call] = self.wait_notify_count(1)
        self.assertEqual(str(call[3]), 'Mobile data stopped')
        self.assertEqual(int(self.hints(call)['urgency']), 2)
        # ...and the signal that follows does not show it again.
        self.sb.EmitBudgetExhausted(TRAVEL, True)
        self.set_props(TRAVEL, State='overridden')
        self.assert_eventually(lambda: self.notify_calls('CloseNotification'))
        self.assertEqual(len(self.notify_calls()), 1)

    def test_expired_plan(self):
        travel = self.add_travel(Period='days:8', UsedBytes=2 * GB)
        self.start_agent()
        self.set_props(TRAVEL, State='expired')
        [call] = self.wait_notify_count(1)
        self.assert_notification(
            call, 'Mobile data plan ended',
            'The Japan Travel eSIM plan ended on %s; the connection was turned off.'
            % date_text(travel['PeriodEnd'], 'UTC'),
            urgency=2,
            actions=['allow-500mb', 'Allow 500 MB more',
                     'allow-period', 'Allow without a limit'])

    def test_cut_off_withdrawn_when_lifted(self):
        self.add_travel(UsedBytes=5 * GB)
        self.start_agent()
        self.sb.EmitBudgetExhausted(TRAVEL, True)
        self.set_props(TRAVEL, State='exhausted')
        calls = self.wait_notify_count(1)
        # Allowed more from elsewhere (the command line): the notification
        # that says the connection is off goes.
        self.set_props(TRAVEL, ExtraAllowance=500000000, State='overridden')
        self.assert_eventually(lambda: self.notify_calls('CloseNotification'))
        self.assertEqual([int(c[0]) for c in self.notify_calls('CloseNotification')],
                         [notification_ids(calls)[0]])
        self.stop_agent()


class Translations(NotifyTestCase):
    """The texts in Japanese and Chinese, from the catalogs built under the
    build directory's po/ (skipped while they lack these messages). The
    machine may have no ja_JP/zh_CN locale: LANGUAGE with C.UTF-8 is
    enough for gettext."""

    def setUp(self):
        super().setUp()
        self.start_daemon()
        self.start_notification_server()

    def check_language(self, lang):
        catalog = self.catalog(lang, 'Mobile data stopped')
        travel = self.add_travel(UsedBytes=5 * GB)
        self.start_agent({'LANGUAGE': lang})
        self.sb.EmitBudgetExhausted(TRAVEL, True)
        [call] = self.wait_notify_count(1)

        when = date_text(travel['PeriodEnd'], 'UTC', catalog.gettext('%-d %b at %H:%M'))
        body = catalog.gettext('%s has used its %s budget; the connection was turned off until %s.')
        self.assertEqual(str(call[3]), catalog.gettext('Mobile data stopped'))
        self.assertEqual(str(call[4]), c_format(body, 'Japan Travel eSIM', '5 GB', when))
        self.assertEqual([str(a) for a in call[5]],
                         ['allow-500mb', c_format(catalog.gettext('Allow %s more'), '500 MB'),
                          'allow-period', catalog.gettext('Allow until the period ends')])
        self.assertNotEqual(str(call[3]), 'Mobile data stopped')

    def test_catalog_from_simbudget_localedir(self):
        localedir = tempfile.TemporaryDirectory()
        self.addCleanup(localedir.cleanup)
        messages = os.path.join(localedir.name, 'xx', 'LC_MESSAGES')
        os.makedirs(messages)
        subprocess.run(['msgfmt', '-o', os.path.join(messages, 'simbudget.mo'), '-'],
                       input=TEST_PO, text=True, check=True)
        travel = self.add_travel(UsedBytes=5 * GB)
        self.start_agent({'LANGUAGE': 'xx', 'SIMBUDGET_LOCALEDIR': localedir.name})
        self.sb.EmitBudgetExhausted(TRAVEL, True)
        [call] = self.wait_notify_count(1)
        self.assertEqual(str(call[3]), '移动数据已停止')
        self.assertEqual(str(call[4]), '在 %s 之前已断开 — Japan Travel eSIM 已用完 5 GB 流量预算。'
                         % date_text(travel['PeriodEnd'], 'UTC', '%-m月%-d日 %H:%M'))
        # Untranslated messages stay English.
        self.assertEqual([str(a) for a in call[5]],
                         ['allow-500mb', '追加 500 MB',
                          'allow-period', 'Allow until the period ends'])
        self.stop_agent()

    def test_japanese(self):
        self.check_language('ja')

    def test_chinese(self):
        self.check_language('zh_CN')


if __name__ == '__main__':
    notifytest.main()
