#!/usr/bin/python3
"""Sums meson's test results over build directories: 'N passed, N failed'."""
import json
import os
import sys

passed = failed = skipped = 0
for build in sys.argv[1:]:
    paths = [os.path.join(build, 'meson-logs', name) for name in ('testlog.json', 'valgrind.json')]
    paths = [p for p in paths if os.path.exists(p)]
    if not paths:
        failed += 1
        print('%s: no test log' % build, file=sys.stderr)
        continue
    for line in (l for p in paths for l in open(p)):
        r = json.loads(line).get('result')
        if r in ('OK', 'EXPECTEDFAIL'):
            passed += 1
        elif r == 'SKIP':
            skipped += 1
        else:
            failed += 1
print('%d passed, %d failed' % (passed, failed) + (', %d skipped' % skipped if skipped else ''))
