#!/usr/bin/python3
"""simbudget history: the request sent, rows as CSV, JSON and bars, errors."""

import datetime
import json
import zoneinfo

import dbus

from clitest import CliTestCase, SB_PROFILE_IFACE, TRAVEL, local, main, midnight, now, profile_path

TOKYO = 'Asia/Tokyo'
DAY1 = datetime.date(2025, 3, 10)
DAY2 = datetime.date(2025, 3, 11)
DAY3 = datetime.date(2025, 3, 12)


def at(day, hour, minute=0):
    return int(datetime.datetime(day.year, day.month, day.day, hour, minute,
                                 tzinfo=zoneinfo.ZoneInfo(TOKYO)).timestamp())


class HistoryTest(CliTestCase):

    def setUp(self):
        super().setUp()
        self.start_sb()
        self.add_travel()
        # 23:30 in Tokyo is still the 11th there, the 11th in UTC as well;
        # 00:30 on the 12th in Tokyo is the 11th in UTC: rows follow Tokyo.
        self.sb.AddUsage(TRAVEL, at(DAY1, 12), dbus.UInt64(100000000), dbus.UInt64(20000000))
        self.sb.AddUsage(TRAVEL, at(DAY2, 23, 30), dbus.UInt64(50000000), dbus.UInt64(10000000))
        self.sb.AddUsage(TRAVEL, at(DAY3, 0, 30), dbus.UInt64(4000000), dbus.UInt64(1000000))

    def history_calls(self):
        return [[str(a[0]), int(a[1]), int(a[2])] for a in self.profile_calls(TRAVEL, 'GetHistory')]

    def test_csv_rows_in_profile_zone(self):
        out = self.run_cli('history', 'Travel', '--since', '2025-03-10', '--until', '2025-03-12',
                           '--csv').stdout
        self.assertEqual(out.splitlines(), [
            'start,start_iso,rx_bytes,tx_bytes,total_bytes',
            '%d,2025-03-10T00:00:00+09:00,100000000,20000000,120000000' % midnight(DAY1, TOKYO),
            '%d,2025-03-11T00:00:00+09:00,50000000,10000000,60000000' % midnight(DAY2, TOKYO),
            '%d,2025-03-12T00:00:00+09:00,4000000,1000000,5000000' % midnight(DAY3, TOKYO),
        ])
        # --until names a whole day: the request ends at the next midnight
        self.assertEqual(self.history_calls(),
                         [['day', midnight(DAY1, TOKYO), midnight(DAY3 + datetime.timedelta(days=1), TOKYO)]])

    def test_iso_date_times_and_granularity(self):
        since = int(datetime.datetime(2025, 3, 10, 3, 0, tzinfo=datetime.timezone.utc).timestamp())
        out = self.run_cli('history', TRAVEL, '--by=hour', '--since', '2025-03-10T03:00:00+00:00',
                           '--until', '2025-03-10 14:00', '--csv').stdout
        until = at(DAY1, 14)
        self.assertEqual(self.history_calls(), [['hour', since, until]])
        rows = out.splitlines()[1:]
        self.assertEqual(len(rows), 2)
        self.assertEqual(rows[0].split(',')[1], '2025-03-10T12:00:00+09:00')
        self.assertEqual(rows[0].split(',')[4], '120000000')
        self.assertEqual(rows[1].split(',')[4], '0')

    def check_default_range(self, by, count, rows, at):
        """The @count buckets up to the one holding @at, in Tokyo."""
        starts = [local(int(r.split(',')[0]), TOKYO) for r in rows]
        today = local(at, TOKYO)
        first, last = starts[0], starts[-1]
        self.assertEqual(len(rows), count, by)
        if by == 'hour':
            self.assertEqual((last.date(), last.hour), (today.date(), today.hour))
            self.assertEqual(last.timestamp() - first.timestamp(), 23 * 3600)
        elif by == 'day':
            self.assertEqual(last.date(), today.date())
            self.assertEqual(first.date(), today.date() - datetime.timedelta(days=29))
        elif by == 'week':
            monday = today.date() - datetime.timedelta(days=today.weekday())
            self.assertEqual(last.date(), monday)
            self.assertEqual(first.date(), monday - datetime.timedelta(weeks=11))
        else:
            self.assertEqual((last.year, last.month, last.day), (today.year, today.month, 1))
            self.assertEqual(first.day, 1)
            self.assertEqual((last.year * 12 + last.month) - (first.year * 12 + first.month), 11)

    def test_default_ranges(self):
        expected_counts = {'hour': 24, 'day': 30, 'week': 12, 'month': 12}
        for by, count in expected_counts.items():
            before = now()
            out = self.run_cli('history', 'Travel', '--by', by, '--csv').stdout
            after = now()
            rows = out.splitlines()[1:]
            gran, start, end = self.history_calls()[-1]
            self.assertEqual(gran, by)
            self.assertEqual(start, int(rows[0].split(',')[0]))
            self.assertTrue(before <= end <= after, (before, end, after))
            # the range ends now, whenever within the run that was
            self.check_default_range(by, count, rows, end - 1)

    def test_today_and_yesterday(self):
        self.run_cli('history', 'Travel', '--since', 'yesterday', '--until', 'today', '--csv')
        today = local(now(), TOKYO).date()
        self.assertEqual(self.history_calls(), [[
            'day', midnight(today - datetime.timedelta(days=1), TOKYO),
            midnight(today + datetime.timedelta(days=1), TOKYO)]])

    def test_json(self):
        doc = json.loads(self.run_cli('history', '3440', '--since', '2025-03-10', '--until',
                                      '2025-03-11', '--json').stdout)
        self.assertEqual(doc['iccid'], TRAVEL)
        self.assertEqual(doc['granularity'], 'day')
        self.assertEqual(doc['time_zone'], TOKYO)
        self.assertEqual(doc['from'], midnight(DAY1, TOKYO))
        self.assertEqual(doc['to_iso'], '2025-03-12T00:00:00+09:00')
        self.assertEqual(doc['rows'], [
            {'start': midnight(DAY1, TOKYO), 'start_iso': '2025-03-10T00:00:00+09:00',
             'rx_bytes': 100000000, 'tx_bytes': 20000000, 'total_bytes': 120000000},
            {'start': midnight(DAY2, TOKYO), 'start_iso': '2025-03-11T00:00:00+09:00',
             'rx_bytes': 50000000, 'tx_bytes': 10000000, 'total_bytes': 60000000},
        ])
        self.assertEqual(doc['total_bytes'], 180000000)
        # --json before the verb is the same
        before = json.loads(self.run_cli('--json', 'history', '3440', '--since', '2025-03-10',
                                         '--until', '2025-03-11').stdout)
        self.assertEqual(before, doc)

    def test_bars(self):
        columns = 50
        out = self.run_cli('history', 'Travel', '--since', '2025-03-10', '--until', '2025-03-12',
                           env={'COLUMNS': str(columns)}).stdout
        lines = out.splitlines()
        self.assertEqual(lines[0], '%s (Travel), per day, Asia/Tokyo' % TRAVEL)
        self.assertEqual(lines[-1], 'Total: 185 MB (received 154 MB, sent 31 MB)')
        rows = lines[1:-1]
        values = [120, 60, 5]
        sizes = ['120 MB', '60 MB', '5 MB']
        # the year shows when the rows are not all in this year
        this_year = local(now(), TOKYO).year
        fmt = '%a %b ' if DAY1.year == this_year else '%a %Y %b '
        labels = [d.strftime(fmt) + str(d.day) for d in (DAY1, DAY2, DAY3)]
        label_w, size_w = max(map(len, labels)), max(map(len, sizes))
        cells = columns - label_w - size_w - 4
        self.assertEqual(len(rows), 3)
        for row, label, size, value in zip(rows, labels, sizes, values):
            self.assertEqual(len(row), columns, row)
            self.assertTrue(row.startswith(label), row)
            self.assertTrue(row.endswith(size), row)
            bar = row[label_w + 2:label_w + 2 + cells]
            eighths = max(1, round(value / 120 * cells * 8))
            partial = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'][eighths % 8]
            self.assertEqual(bar.rstrip(' '), '█' * (eighths // 8) + partial, row)
        self.assertEqual(rows[0][label_w + 2:label_w + 2 + cells], '█' * cells)

    def test_bars_default_width_and_empty_rows(self):
        out = self.run_cli('history', 'Travel', '--since', '2025-03-13', '--until', '2025-03-14').stdout
        rows = out.splitlines()[1:-1]
        self.assertEqual(len(rows), 2)
        for row in rows:
            self.assertEqual(len(row), 80, row)
            self.assertTrue(row.endswith(' 0 B'), row)
            self.assertNotRegex(row, '[█▉▊▋▌▍▎▏]')

    def test_daemon_refuses_range(self):
        r = self.run_cli('history', 'Travel', '--since', '2025-03-12', '--until', '2025-03-01', expect=1)
        self.assertEqual(r.stdout, '')
        self.assertEqual(r.stderr, 'simbudget: The range ends before it starts (from > to)\n')
        r = self.run_cli('history', 'Travel', '--by', 'hour', '--since', '2020-01-01',
                         '--until', '2025-01-01', expect=1)
        self.assertEqual(r.stdout, '')
        self.assertRegex(r.stderr, r'^simbudget: The range holds more than 20000 rows')

    def test_daemon_no_such_profile(self):
        obj = self.dbus_con.get_object('org.simbudget.SimBudget1', profile_path(TRAVEL))
        obj.AddMethod(SB_PROFILE_IFACE, 'GetHistory', 'sxx', 'a(xtt)',
                      'raise dbus.exceptions.DBusException("No profile", '
                      'name="org.simbudget.SimBudget1.Error.NoSuchProfile")',
                      dbus_interface='org.freedesktop.DBus.Mock')
        r = self.run_cli('history', 'Travel', expect=1)
        self.assertEqual(r.stderr, 'simbudget: no profile matches “Travel”; see `simbudget status`\n')

    def test_bad_arguments(self):
        r = self.run_cli('history', 'Travel', '--by', 'fortnight', expect=2)
        self.assertIn('“fortnight”', r.stderr)
        r = self.run_cli('history', 'Travel', '--since', 'tomorrow', expect=2)
        self.assertTrue(r.stderr.startswith('simbudget: --since: “tomorrow” is not a date'), r.stderr)
        r = self.run_cli('history', 'Travel', '--until', '2025-02-30', expect=2)
        self.assertIn('“2025-02-30” is not a date', r.stderr)
        r = self.run_cli('history', 'Travel', '--csv', '--json', expect=2)
        self.assertIn('Usage:', r.stderr)
        r = self.run_cli('history', expect=2)
        self.assertIn('Usage:', r.stderr)
        r = self.run_cli('history', 'Travel', '--by', expect=2)
        self.assertIn('needs a value', r.stderr)
        r = self.run_cli('history', 'Travel', '--weekly', expect=2)
        self.assertIn('unknown option “--weekly”', r.stderr)
        # none of these reached the daemon
        self.assertEqual(self.history_calls(), [])


if __name__ == '__main__':
    main()
