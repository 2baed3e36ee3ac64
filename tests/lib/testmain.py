"""The main() of the test files: meson runs one with a Class.method."""

import sys
import unittest


def main():
    """unittest.main on stdout; a run whose tests were all skipped exits 77,
    so that meson reports SKIP rather than OK."""
    program = unittest.main(exit=False,
                            testRunner=unittest.TextTestRunner(stream=sys.stdout, verbosity=2))
    result = program.result
    if result.testsRun and len(result.skipped) == result.testsRun:
        sys.exit(77)
    sys.exit(0 if result.wasSuccessful() else 1)
