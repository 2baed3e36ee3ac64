#!/usr/bin/python3
"""tools/bench-footprint --tiny against the build under test: it exits 0
and prints every figure, each a number with its unit. The values are the
benchmark's business, not this test's."""

import os
import re
import subprocess
import sys
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOOL = os.path.join(ROOT, 'tools', 'bench-footprint')

NUMBER = r'-?\d+(?:\.\d+)?'
FIGURES = [
    ('main-thread wake-ups, no bearer', 'per minute'),
    ('other threads wake-ups, no bearer', 'per minute'),
    ('main-thread wake-ups, idle connected bearer', 'per minute'),
    ('other threads wake-ups, idle connected bearer', 'per minute'),
    ('SQLite transactions, idle connected bearer', 'per minute'),
    ('SQLite transactions per active bearer, steady traffic', 'per minute'),
    ('main-thread wake-ups, bearer with steady traffic', 'per minute'),
    ('private memory RssAnon, 1 profile', 'MB'),
    ('private memory Pss, 1 profile', 'MB'),
    ('private memory RssAnon, 10 profiles', 'MB'),
    ('private memory Pss, 10 profiles', 'MB'),
    ('database size, a year of 15-minute buckets, one profile', 'MB'),
    ('simbudget history --by day, a year', 'ms'),
    ('GetHistory day, a year, the D-Bus call alone', 'ms'),
    ('vnstat -d 0, the same 365 days', 'ms'),
    ('history time ratio simbudget/vnstat', ''),
]
# the figures that have a goal say whether it is met
WITH_GOAL = {
    'main-thread wake-ups, no bearer', 'main-thread wake-ups, idle connected bearer',
    'SQLite transactions, idle connected bearer',
    'SQLite transactions per active bearer, steady traffic',
    'private memory RssAnon, 1 profile', 'private memory RssAnon, 10 profiles',
    'database size, a year of 15-minute buckets, one profile',
    'history time ratio simbudget/vnstat',
}


class TinyRun(unittest.TestCase):
    def test_prints_every_figure(self):
        env = dict(os.environ, SB_BENCH_TINY='1')
        self.assertIn('SB_BUILD', env, 'SB_BUILD must name the build under test')
        proc = subprocess.run([TOOL, '--tiny', '--no-build'], capture_output=True, text=True,
                              env=env, timeout=120)
        sys.stdout.write(proc.stdout)
        self.assertEqual(proc.returncode, 0, 'bench-footprint failed:\n' + proc.stderr)

        lines = proc.stdout.splitlines()
        self.assertTrue(any(re.match(r'^machine: \d+ CPUs, .+, Linux \S+', line) for line in lines),
                        'no machine line')
        self.assertTrue(any(line.startswith('mode: tiny') for line in lines), 'not a tiny run')
        for name, unit in FIGURES:
            with self.subTest(figure=name):
                pattern = '^%s: %s%s(?: \\((.*)\\))?$' % (
                    re.escape(name), NUMBER, ' ' + re.escape(unit) if unit else ' ?')
                found = [m for m in (re.match(pattern, line) for line in lines) if m]
                self.assertEqual(len(found), 1, 'figure "%s" (%s) printed %d times' % (name, unit, len(found)))
                if name in WITH_GOAL:
                    self.assertRegex(found[0].group(1) or '', r'^goal [^;]+, (met|MISSED)')


if __name__ == '__main__':
    unittest.main(testRunner=unittest.TextTestRunner(stream=sys.stdout, verbosity=2))
