"""What a benchmark ran on, for its report."""

import os
import platform


def cpu_model():
    with open('/proc/cpuinfo') as f:
        for line in f:
            if line.startswith('model name'):
                return line.split(':', 1)[1].strip()
    return 'unknown CPU'


def describe():
    """CPUs, their model and the kernel."""
    return '%d CPUs, %s, Linux %s' % (os.cpu_count(), cpu_model(), platform.release())
