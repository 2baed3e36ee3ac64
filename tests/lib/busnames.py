"""Names on the bus of simbudgetd and of the services the tests, the demo
and the benchmarks stand in for, and simbudgetd's object path of a profile."""

SB_BUS = 'org.simbudget.SimBudget1'
SB_PATH = '/org/simbudget/SimBudget1'
SB_IFACE = 'org.simbudget.SimBudget1'
SB_PROFILE_IFACE = 'org.simbudget.SimBudget1.Profile'

MM_BUS = 'org.freedesktop.ModemManager1'
MM_PATH = '/org/freedesktop/ModemManager1'
MM_MOCK_IFACE = 'org.freedesktop.ModemManager1.Mock'

NM_BUS = 'org.freedesktop.NetworkManager'
NM_PATH = '/org/freedesktop/NetworkManager'
# The NetworkManager template's control methods are on /org/freedesktop.
NM_MOCK_PATH = '/org/freedesktop'

NOTIFY_BUS = 'org.freedesktop.Notifications'
NOTIFY_PATH = '/org/freedesktop/Notifications'
NOTIFY_IFACE = 'org.freedesktop.Notifications'

# python-dbusmock's control interface (dbusmock.MOCK_IFACE)
DBUSMOCK_IFACE = 'org.freedesktop.DBus.Mock'

# MMSimType
PHYSICAL = 1
ESIM = 2


def profile_path(iccid):
    """The object path simbudgetd gives the profile of @iccid: bytes other
    than ASCII letters, digits and '_' escaped as _xx."""
    out = []
    for byte in iccid.encode():
        c = chr(byte)
        out.append(c if c.isascii() and (c.isalnum() or c == '_') else '_%02x' % byte)
    return SB_PATH + '/Profile/' + ''.join(out)
