"""Child processes of the tests, the demo and the benchmarks: stopping one,
tying one to our life, running a command as another user."""

import ctypes
import signal
import subprocess

PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True)


def stop(proc, timeout=5):
    """Terminates @proc (a Popen, or None: nothing was started) unless it
    has exited, and kills it after @timeout seconds. Returns its exit code."""
    if proc is None:
        return None
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


def die_with_parent(sig=signal.SIGTERM):
    """A preexec_fn: the child gets @sig when we die, even by SIGKILL, so
    that nothing of ours outlives us."""
    def preexec():
        _libc.prctl(PR_SET_PDEATHSIG, sig)
    return preexec


def as_user(user, argv):
    """@argv run as @user (root: unchanged), with nogroup, no supplementary
    groups and no capabilities: a caller the bus policy sees as that user."""
    if user == 'root':
        return list(argv)
    return ['setpriv', '--reuid=' + user, '--regid=nogroup', '--clear-groups',
            '--inh-caps=-all', '--'] + list(argv)
