#!/usr/bin/python3
"""Runs one libFuzzer harness for a while, starting from its seed corpus,
and says how many inputs it ran and what it found.

  run-fuzzer.py FUZZER --seeds DIR [--dict FILE] [--seconds N] [--corpus DIR]
                [--artifacts DIR]

The seeds are only read: new inputs go to --corpus (a temporary directory
unless given, so that a long run can resume), crashes to --artifacts (next
to the fuzzer unless given). --seconds 0 runs until interrupted. Exits
non-zero when the fuzzer found a crash, a leak or a timeout."""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('fuzzer')
    parser.add_argument('--seeds', required=True)
    parser.add_argument('--dict')
    parser.add_argument('--seconds', type=int, default=60)
    parser.add_argument('--corpus')
    parser.add_argument('--artifacts')
    parser.add_argument('--max-len', type=int, default=4096)
    args = parser.parse_args()

    name = os.path.basename(args.fuzzer)
    artifacts = args.artifacts or os.path.join(os.path.dirname(os.path.abspath(args.fuzzer)),
                                               'artifacts', name)
    os.makedirs(artifacts, exist_ok=True)
    tmp = None
    corpus = args.corpus
    if corpus is None:
        tmp = tempfile.mkdtemp(prefix=name + '-')
        corpus = tmp
    os.makedirs(corpus, exist_ok=True)

    argv = [args.fuzzer, '-print_final_stats=1', '-timeout=10', '-rss_limit_mb=2048',
            '-max_len=%d' % args.max_len, '-artifact_prefix=' + artifacts + '/']
    if args.seconds > 0:
        argv.append('-max_total_time=%d' % args.seconds)
    if args.dict and os.path.exists(args.dict):
        argv.append('-dict=' + args.dict)
    argv += [corpus, args.seeds]

    env = dict(os.environ)
    env.setdefault('ASAN_OPTIONS', 'abort_on_error=1:detect_leaks=1')
    env.setdefault('UBSAN_OPTIONS', 'halt_on_error=1:print_stacktrace=1')
    before = set(os.listdir(artifacts))
    started = time.monotonic()
    proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, errors='replace', env=env, check=False)
    elapsed = time.monotonic() - started
    found = sorted(set(os.listdir(artifacts)) - before)

    execs = re.search(r'stat::number_of_executed_units:\s*(\d+)', proc.stdout)
    units = len(os.listdir(corpus))
    if tmp is not None:
        shutil.rmtree(tmp, ignore_errors=True)

    if proc.returncode != 0 or found:
        sys.stdout.write(proc.stdout[-12000:])
        for f in found:
            path = os.path.join(artifacts, f)
            with open(path, 'rb') as fh:
                data = fh.read()
            print('%s: reproducer %s (%d bytes): %r' % (name, path, len(data), data[:400]))
            print('  rerun: %s %s' % (args.fuzzer, path))
            print('  keep it: copy it into %s once fixed' % args.seeds)
        print('%s: FAILED (exit %d) after %s executions in %.0f s'
              % (name, proc.returncode, execs.group(1) if execs else '?', elapsed))
        return 1
    print('%s: %s executions in %.0f s, corpus %d new inputs, nothing found'
          % (name, execs.group(1) if execs else '?', elapsed, units))
    return 0


if __name__ == '__main__':
    sys.exit(main())
