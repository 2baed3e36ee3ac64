'''simbudgetd mock template, for testing the simbudget command line client

This stands in for org.simbudget.SimBudget1 on the system bus: the manager
object (an ObjectManager) and one object per SIM profile, following
data/org.simbudget.SimBudget1.xml. Profile methods behave like the
daemon's: GetHistory cuts the recorded usage into buckets in the profile's
time zone and refuses bad arguments, Override and SetUsed change the
allowance and usage and may be refused as polkit would.

Control methods on org.freedesktop.DBus.Mock of the manager object:

  AddProfile(s iccid, a{sv} properties) -> o
  RemoveProfile(s iccid)
  SetProfileProperties(s iccid, a{sv} properties)
  AddUsage(s iccid, x time, t rx, t tx)
  SetAuthorized(s action_id, b allowed)
  SetStorageState(s state)
  EmitThresholdReached(s iccid, u percent)
  EmitBudgetExhausted(s iccid, b disconnected)

Property values are coerced to their D-Bus types, so plain Python values
do. Calls are logged on each profile object (GetMethodCalls).
'''

import calendar
import datetime
import zoneinfo

import dbus

from dbusmock import MOCK_IFACE, OBJECT_MANAGER_IFACE
import dbusmock

BUS_NAME = 'org.simbudget.SimBudget1'
MAIN_OBJ = '/org/simbudget/SimBudget1'
MAIN_IFACE = 'org.simbudget.SimBudget1'
PROFILE_IFACE = 'org.simbudget.SimBudget1.Profile'
SYSTEM_BUS = True
IS_OBJECT_MANAGER = True

ERROR = 'org.simbudget.SimBudget1.Error.'
UNLIMITED = 2 ** 64 - 1
MAX_ROWS = 20000
GRANULARITIES = ('hour', 'day', 'week', 'month')

PROFILE_TYPES = {
    'Iccid': 's', 'Eid': 's', 'SimType': 's', 'OperatorName': 's',
    'Active': 'b', 'Interface': 's', 'ConnectionUuid': 's',
    'ConnectionId': 's', 'Limit': 't', 'Period': 's', 'TimeZone': 's',
    'Thresholds': 'au', 'Action': 's', 'PeriodStart': 'x', 'PeriodEnd': 'x',
    'UsedBytes': 't', 'RxBytes': 't', 'TxBytes': 't', 'TotalBytes': 't',
    'ExtraAllowance': 't', 'State': 's', 'ConfigError': 's',
    'Enforcement': 's',
}

PROFILE_DEFAULTS = {
    'Eid': '', 'SimType': 'physical', 'OperatorName': '', 'Active': False,
    'Interface': '', 'ConnectionUuid': '', 'ConnectionId': '', 'Limit': 0,
    'Period': 'monthly:1', 'TimeZone': 'UTC', 'Thresholds': [80, 95],
    'Action': 'disconnect', 'PeriodStart': 0, 'PeriodEnd': 0,
    'UsedBytes': 0, 'RxBytes': 0, 'TxBytes': 0, 'TotalBytes': 0,
    'ExtraAllowance': 0, 'State': 'untracked', 'ConfigError': '',
    'Enforcement': 'none',
}


def coerce(name, value):
    kind = PROFILE_TYPES.get(name)
    if kind is None:
        raise dbus.exceptions.DBusException(f'no property {name} on {PROFILE_IFACE}',
                                            name='org.freedesktop.DBus.Error.UnknownProperty')
    if kind == 's':
        return dbus.String(value)
    if kind == 'b':
        return dbus.Boolean(bool(value))
    if kind == 't':
        return dbus.UInt64(int(value))
    if kind == 'x':
        return dbus.Int64(int(value))
    return dbus.Array([dbus.UInt32(int(v)) for v in value], signature='u')


def profile_path(iccid):
    '''Object path of a profile: bytes outside [A-Za-z0-9_] as _xx.'''
    out = []
    for byte in iccid.encode():
        c = chr(byte)
        if c.isascii() and (c.isalnum() or c == '_'):
            out.append(c)
        else:
            out.append('_%02x' % byte)
    return MAIN_OBJ + '/Profile/' + ''.join(out)


def fail(kind, message):
    raise dbus.exceptions.DBusException(message, name=ERROR + kind)


def profile_object(iccid):
    path = profile_path(iccid)
    if path not in dbusmock.get_objects():
        fail('NoSuchProfile', f'No profile “{iccid}”')
    return dbusmock.get_object(path)


def emit_changed(obj, names):
    props = obj.props[PROFILE_IFACE]
    obj.EmitSignal(dbus.PROPERTIES_IFACE, 'PropertiesChanged', 'sa{sv}as',
                   [PROFILE_IFACE,
                    dbus.Dictionary({n: props[n] for n in names}, signature='sv'),
                    dbus.Array([], signature='s')])


def zone_of(obj):
    try:
        return zoneinfo.ZoneInfo(str(obj.props[PROFILE_IFACE]['TimeZone']))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return datetime.timezone.utc


def local_midnight(tz, day):
    return int(datetime.datetime(day.year, day.month, day.day, tzinfo=tz).timestamp())


def bucket_floor(granularity, tz, t):
    local = datetime.datetime.fromtimestamp(t, tz)
    if granularity == 'hour':
        return int(local.replace(minute=0, second=0, microsecond=0).timestamp())
    day = local.date()
    if granularity == 'week':
        day -= datetime.timedelta(days=day.weekday())
    elif granularity == 'month':
        day = day.replace(day=1)
    return local_midnight(tz, day)


def bucket_next(granularity, tz, start):
    if granularity == 'hour':
        return start + 3600
    day = datetime.datetime.fromtimestamp(start, tz).date()
    if granularity == 'day':
        day += datetime.timedelta(days=1)
    elif granularity == 'week':
        day += datetime.timedelta(days=7)
    else:
        day += datetime.timedelta(days=calendar.monthrange(day.year, day.month)[1])
    return local_midnight(tz, day)


def recompute_state(obj):
    '''State from usage, limit, allowance and thresholds, as the daemon has it.'''
    props = obj.props[PROFILE_IFACE]
    limit, used, extra = int(props['Limit']), int(props['UsedBytes']), int(props['ExtraAllowance'])
    if limit == 0:
        return 'untracked'
    if extra > 0 and used >= limit:
        return 'overridden'
    if used >= limit:
        return 'exhausted'
    percent = used * 100 // limit
    if any(percent >= int(p) for p in props['Thresholds']):
        return 'warning'
    return 'ok'


def check_authorized(obj, action_id, what):
    main = dbusmock.get_object(MAIN_OBJ)
    if not main.authorized.get(action_id, True):
        fail('NotAuthorized', f'Not authorized to {what} (polkit action {action_id})')


def get_history(self, granularity, start, end):
    if granularity not in GRANULARITIES:
        fail('InvalidArgs', f'“{granularity}” is not a granularity (hour, day, week or month)')
    if start > end:
        fail('InvalidArgs', 'The range ends before it starts (from > to)')
    tz = zone_of(self)
    rows = []
    if start == end:
        return dbus.Array(rows, signature='(xtt)')
    bucket = bucket_floor(granularity, tz, start)
    while bucket < end:
        if len(rows) >= MAX_ROWS:
            fail('InvalidArgs', f'The range holds more than {MAX_ROWS} rows; choose a coarser granularity')
        following = bucket_next(granularity, tz, bucket)
        rx = sum(s[1] for s in self.samples if bucket <= s[0] < following)
        tx = sum(s[2] for s in self.samples if bucket <= s[0] < following)
        rows.append(dbus.Struct((dbus.Int64(bucket), dbus.UInt64(rx), dbus.UInt64(tx)),
                                signature='xtt'))
        bucket = following
    return dbus.Array(rows, signature='(xtt)')


def override(self, extra):
    check_authorized(self, 'org.simbudget.override', 'allow more data for this profile')
    props = self.props[PROFILE_IFACE]
    if extra == 0:
        props['ExtraAllowance'] = dbus.UInt64(UNLIMITED)
    else:
        props['ExtraAllowance'] = dbus.UInt64(min(UNLIMITED, int(props['ExtraAllowance']) + extra))
    props['State'] = dbus.String(recompute_state(self))
    emit_changed(self, ['ExtraAllowance', 'State'])


def set_used(self, used):
    check_authorized(self, 'org.simbudget.manage', 'correct the usage of this profile')
    props = self.props[PROFILE_IFACE]
    props['UsedBytes'] = dbus.UInt64(used)
    props['State'] = dbus.String(recompute_state(self))
    emit_changed(self, ['UsedBytes', 'State'])


def forget(self):
    check_authorized(self, 'org.simbudget.manage', 'delete the history of this profile')
    self.samples = []
    self.props[PROFILE_IFACE]['TotalBytes'] = dbus.UInt64(0)
    emit_changed(self, ['TotalBytes'])


def load(mock, parameters):
    mock.AddProperties(MAIN_IFACE, {
        'Version': dbus.String(parameters.get('Version', '0.1.0')),
        'StorageState': dbus.String(parameters.get('StorageState', 'ok')),
    })
    mock.AddMethods(MAIN_IFACE, [
        ('ConnectionEvent', 'sss', '', ''),
    ])
    mock.authorized = {}


@dbus.service.method(MOCK_IFACE, in_signature='sa{sv}', out_signature='o')
def AddProfile(self, iccid, properties):
    path = profile_path(iccid)
    props = {name: coerce(name, value) for name, value in PROFILE_DEFAULTS.items()}
    props['Iccid'] = dbus.String(iccid)
    for name, value in properties.items():
        props[name] = coerce(name, value)

    self.AddObject(path, PROFILE_IFACE, props, [
        ('GetHistory', 'sxx', 'a(xtt)', get_history),
        ('Override', 't', '', override),
        ('SetUsed', 't', '', set_used),
        ('Forget', '', '', forget),
    ])
    obj = dbusmock.get_object(path)
    obj.samples = []
    self.object_manager_emit_added(path)
    return dbus.ObjectPath(path)


@dbus.service.method(MOCK_IFACE, in_signature='s', out_signature='')
def RemoveProfile(self, iccid):
    obj = profile_object(iccid)
    self.EmitSignal(OBJECT_MANAGER_IFACE, 'InterfacesRemoved', 'oas',
                    [dbus.ObjectPath(obj.path), dbus.Array([PROFILE_IFACE], signature='s')])
    self.RemoveObject(obj.path)


@dbus.service.method(MOCK_IFACE, in_signature='sa{sv}', out_signature='')
def SetProfileProperties(self, iccid, properties):
    obj = profile_object(iccid)
    for name, value in properties.items():
        obj.props[PROFILE_IFACE][name] = coerce(name, value)
    emit_changed(obj, list(properties.keys()))


@dbus.service.method(MOCK_IFACE, in_signature='sxtt', out_signature='')
def AddUsage(self, iccid, when, rx, tx):
    obj = profile_object(iccid)
    obj.samples.append((int(when), int(rx), int(tx)))


@dbus.service.method(MOCK_IFACE, in_signature='sb', out_signature='')
def SetAuthorized(self, action_id, allowed):
    self.authorized[str(action_id)] = bool(allowed)


@dbus.service.method(MOCK_IFACE, in_signature='s', out_signature='')
def SetStorageState(self, state):
    self.Set(MAIN_IFACE, 'StorageState', dbus.String(state))


@dbus.service.method(MOCK_IFACE, in_signature='su', out_signature='')
def EmitThresholdReached(self, iccid, percent):
    obj = profile_object(iccid)
    props = obj.props[PROFILE_IFACE]
    obj.EmitSignal(PROFILE_IFACE, 'ThresholdReached', 'utt',
                   [dbus.UInt32(percent), props['UsedBytes'], props['Limit']])


@dbus.service.method(MOCK_IFACE, in_signature='sb', out_signature='')
def EmitBudgetExhausted(self, iccid, disconnected):
    obj = profile_object(iccid)
    props = obj.props[PROFILE_IFACE]
    obj.EmitSignal(PROFILE_IFACE, 'BudgetExhausted', 'ttb',
                   [props['UsedBytes'], props['Limit'], dbus.Boolean(disconnected)])
