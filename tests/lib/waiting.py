"""Waiting for a condition, a GLib main loop's events dispatched meanwhile
where signals must reach their handlers."""

import time


def dispatch_pending():
    """Runs the handlers of every event the default main context has."""
    from gi.repository import GLib  # here: the demo's --help needs no gi
    ctx = GLib.MainContext.default()
    while ctx.iteration(False):
        pass


def wait_until(condition, timeout, iterate=False, check=None, interval=0.02):
    """True once condition() holds, False when @timeout seconds pass first.
    With @iterate, pending events are dispatched before each look; @check()
    runs after each look that failed (it raises when waiting is pointless,
    e.g. the process that should act has died)."""
    deadline = time.monotonic() + timeout
    while True:
        if iterate:
            dispatch_pending()
        if condition():
            return True
        if check is not None:
            check()
        if time.monotonic() > deadline:
            return False
        time.sleep(interval)


def name_owned(con, name, proc, timeout=20.0):
    """Waits until @name has an owner on @con (a dbus connection) while
    @proc, the process that should take it, runs. False when @proc exited
    or @timeout passed first."""
    wait_until(lambda: con.name_has_owner(name) or proc.poll() is not None, timeout)
    return proc.poll() is None and con.name_has_owner(name)
