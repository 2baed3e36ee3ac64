#!/usr/bin/python3
"""tools/bench-overshoot --tiny against the build under test: it exits 0,
prints one figure per (mode, rate) with the budget the run used, the goals
where the issue sets one, the machine, and last the line scripts follow,
which repeats the kernel quota's figure at 100 Mbit/s. The values are the
benchmark's business, not this test's. Skipped (77) without root."""

import os
import re
import shutil
import subprocess
import sys
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOOL = os.path.join(ROOT, 'tools', 'bench-overshoot')

MODES = ['statistics only', 'precise polling', 'kernel quota']
RATES = [10, 100]
FIGURE = re.compile(r'^overshoot, (?P<mode>[a-z ]+), (?P<mbit>\d+) Mbit/s: (?P<bytes>\d+) bytes'
                    r' \((?P<notes>.*)\)$')
REFRESH = re.compile(r'ModemManager refresh every (?P<s>[\d.]+) s; '
                     r'budget reached (?P<n>[\d.]+) refreshes after connecting')


def can_run():
    return os.geteuid() == 0 and shutil.which('ip') is not None and \
        subprocess.run(['ip', 'netns', 'list'], capture_output=True).returncode == 0 and \
        os.path.exists('/dev/net/tun')


class TinyRun(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        env = dict(os.environ)
        assert 'SB_BUILD' in env, 'SB_BUILD must name the build under test'
        cls.proc = subprocess.run([TOOL, '--tiny', '--no-build'], capture_output=True, text=True,
                                  env=env, timeout=110)
        sys.stdout.write(cls.proc.stdout)
        sys.stdout.write(cls.proc.stderr)
        cls.lines = cls.proc.stdout.splitlines()

    def test_exit_status(self):
        self.assertEqual(self.proc.returncode, 0, 'bench-overshoot failed:\n' + self.proc.stderr)

    def test_one_figure_per_mode_and_rate(self):
        setup = [m for m in (REFRESH.search(line) for line in self.lines) if m]
        self.assertEqual(len(setup), 1, 'no set-up line naming the cadence')
        reach_s = float(setup[0].group('s')) * float(setup[0].group('n'))
        found = {}
        for m in (FIGURE.match(line) for line in self.lines):
            if m:
                key = (m.group('mode'), int(m.group('mbit')))
                self.assertNotIn(key, found, 'figure printed twice: %s' % (key,))
                found[key] = m
        self.assertEqual(sorted(found), sorted((mode, r) for mode in MODES for r in RATES))
        for (mode, mbit), m in found.items():
            with self.subTest(mode=mode, rate=mbit):
                notes = m.group('notes')
                # the budget the traffic reaches between two refreshes
                budget_mb = mbit * 1e6 / 8 * reach_s / 1e6
                self.assertRegex(notes, r'(^|; )budget %s MB(;|$)' % re.escape(
                    ('%d' % budget_mb) if budget_mb == int(budget_mb) else '%.2f' % budget_mb))
                self.assertRegex(notes, r'carried \d+\.\d Mbit/s')
                if mode == 'statistics only':
                    self.assertNotIn('goal', notes)
                else:
                    self.assertRegex(notes, r'^goal [^;]+, (met|MISSED)(;|$)')

    def test_machine_then_last_line(self):
        self.assertGreaterEqual(len(self.lines), 2)
        self.assertRegex(self.lines[-2], r'^machine: \d+ CPUs, .+, Linux \S+, load [\d.]+$')
        last = re.match(r'^overshoot-quota-100mbit: (\d+) bytes$', self.lines[-1])
        self.assertIsNotNone(last, 'last line: %r' % self.lines[-1])
        quota = [FIGURE.match(line) for line in self.lines]
        quota = [m for m in quota if m and m.group('mode') == 'kernel quota' and m.group('mbit') == '100']
        self.assertEqual(len(quota), 1)
        self.assertEqual(last.group(1), quota[0].group('bytes'))


if __name__ == '__main__':
    if not can_run():
        print('needs root, ip netns and /dev/net/tun: skipped')
        sys.exit(77)
    unittest.main(testRunner=unittest.TextTestRunner(stream=sys.stdout, verbosity=2))
