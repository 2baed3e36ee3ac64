'''ModemManager 1.20 mock template for python-dbusmock

Models what libmm-glib and mmcli read from a real ModemManager: the manager
object (an ObjectManager that lists only modems), modem objects with the
Modem, Modem3gpp and Modem.Simple interfaces, SIM objects and bearer objects
with statistics that follow ModemManager's own update rules.

Control it through org.freedesktop.ModemManager1.Mock on
/org/freedesktop/ModemManager1 (see tests/templates/README.md).

Parameters (all optional):
  Version (s)            manager Version property, default "1.20.4"
  FirstIndex (u)         first modem, SIM and bearer index, default 0
  OperatorIdentifier (s) MCCMNC of new SIMs and networks, default "00101"
'''

import hashlib
import time

import dbus

import dbusmock
from dbusmock.mockobject import OBJECT_MANAGER_IFACE

BUS_NAME = 'org.freedesktop.ModemManager1'
MAIN_OBJ = '/org/freedesktop/ModemManager1'
MAIN_IFACE = 'org.freedesktop.ModemManager1'
SYSTEM_BUS = True
IS_OBJECT_MANAGER = True

MOCK_IFACE = 'org.freedesktop.ModemManager1.Mock'
MODEM_IFACE = 'org.freedesktop.ModemManager1.Modem'
MODEM_3GPP_IFACE = 'org.freedesktop.ModemManager1.Modem.Modem3gpp'
MODEM_SIMPLE_IFACE = 'org.freedesktop.ModemManager1.Modem.Simple'
SIM_IFACE = 'org.freedesktop.ModemManager1.Sim'
BEARER_IFACE = 'org.freedesktop.ModemManager1.Bearer'

ERROR_CORE = 'org.freedesktop.ModemManager1.Error.Core'

# MMModemState
STATE_FAILED = -1
STATE_DISABLED = 3
STATE_DISABLING = 4
STATE_ENABLED = 6
STATE_REGISTERED = 8
STATE_DISCONNECTING = 9
STATE_CONNECTING = 10
STATE_CONNECTED = 11

# MMModemStateChangeReason
REASON_UNKNOWN = 0
REASON_USER_REQUESTED = 1

# MMModem3gppRegistrationState
REG_IDLE = 0
REG_HOME = 1
REG_ROAMING = 5

# MMSimType, MMSimEsimStatus, MMSimRemovability
SIM_TYPE_PHYSICAL = 1
SIM_TYPE_ESIM = 2
ESIM_STATUS_UNKNOWN = 0
ESIM_STATUS_WITH_PROFILES = 2
REMOVABLE = 1
NOT_REMOVABLE = 2

# MMModemPortType
PORT_NET = 2
PORT_QMI = 6

# MMModemCapability: GSM_UMTS | LTE
CAPS_3GPP = 0x4 | 0x8
# MMModemMode: 2G | 3G | 4G, preferring 4G
MODES_ALLOWED = 0x2 | 0x4 | 0x8
MODE_4G = 0x8
ACCESS_TECH_LTE = 1 << 14
# MMModemBand: EUTRAN 1, 3, 7, 20
BANDS = [31, 33, 37, 50]
# MMBearerIpFamily IPV4 | IPV6 | IPV4V6
IP_FAMILIES = 0x1 | 0x2 | 0x4
IP_FAMILY_IPV4V6 = 0x4
# MMBearerIpMethod
IP_METHOD_STATIC = 2
# MMBearerType
BEARER_TYPE_DEFAULT = 1
# ModemManager's default IP timeout for bearers, seconds
BEARER_IP_TIMEOUT = 20
PROFILE_ID_UNKNOWN = -1


def _empty_dict():
    return dbus.Dictionary({}, signature='sv')


def _no_ip_config():
    # mm_bearer_ip_config_get_dictionary (NULL): libmm-glib rejects a
    # dictionary without "method"
    return dbus.Dictionary({'method': dbus.UInt32(0)}, signature='sv')


def _no_strings():
    return dbus.Array([], signature='s')


def _main():
    return dbusmock.get_object(MAIN_OBJ)


def _not_found(what, path):
    return dbus.exceptions.DBusException(f'No {what} at {path}',
                                         name=MOCK_IFACE + '.NotFound')


def _modem(path):
    if str(path) not in _main()._mm['modems']:
        raise _not_found('modem', path)
    return dbusmock.get_object(path)


def _bearer(path):
    path = str(path)
    obj = dbusmock.mockobject.objects.get(path)
    if obj is None or not hasattr(obj, 'mm_stats'):
        raise _not_found('bearer', path)
    return obj


def _sim(path):
    path = str(path)
    obj = dbusmock.mockobject.objects.get(path)
    if obj is None or SIM_IFACE not in obj.props:
        raise _not_found('SIM', path)
    return obj


def _emit_changed(obj, iface, changed):
    obj.EmitSignal(dbus.PROPERTIES_IFACE, 'PropertiesChanged', 'sa{sv}as', [
        iface, dbus.Dictionary(changed, signature='sv'), _no_strings()])


def _update(obj, iface, values):
    '''Set properties and emit one PropertiesChanged with those that changed.

    ModemManager's gdbus-codegen skeletons coalesce the properties set in one
    main loop iteration into one signal and skip values that did not change;
    this keeps that granularity.
    '''
    props = obj.props[iface]
    changed = {}
    for name, value in values.items():
        if name in props and props[name] == value:
            continue
        props[name] = value
        changed[name] = value
    if changed:
        _emit_changed(obj, iface, changed)


#
# SIM objects
#

def _sim_props(iccid, eid, sim_type, operator_name, operator_id):
    esim = sim_type == SIM_TYPE_ESIM
    # A plausible IMSI: the home network followed by the ICCID's last digits
    msin = ''.join(c for c in iccid if c.isdigit())[-10:].rjust(10, '0')
    return {
        'Active': dbus.Boolean(True),
        'SimIdentifier': dbus.String(iccid),
        'Imsi': dbus.String(operator_id + msin if iccid else ''),
        'Eid': dbus.String(eid),
        'OperatorIdentifier': dbus.String(operator_id),
        'OperatorName': dbus.String(operator_name),
        'EmergencyNumbers': dbus.Array(['112', '911'], signature='s'),
        'PreferredNetworks': dbus.Array([], signature='(su)'),
        'Gid1': dbus.Array([], signature='y'),
        'Gid2': dbus.Array([], signature='y'),
        'SimType': dbus.UInt32(sim_type),
        'EsimStatus': dbus.UInt32(ESIM_STATUS_WITH_PROFILES if esim else ESIM_STATUS_UNKNOWN),
        'Removability': dbus.UInt32(NOT_REMOVABLE if esim else REMOVABLE),
    }


def _add_sim(main, iccid, eid, sim_type, operator_name):
    st = main._mm
    path = f'{MAIN_OBJ}/SIM/{st["next_sim"]}'
    st['next_sim'] += 1
    main.AddObject(path, SIM_IFACE,
                   _sim_props(iccid, eid, sim_type, operator_name, st['operator_id']),
                   [('SendPin', 's', '', ''),
                    ('SendPuk', 'ss', '', ''),
                    ('EnablePin', 'sb', '', ''),
                    ('ChangePin', 'ss', '', ''),
                    ('SetPreferredNetworks', 'a(su)', '', '')])
    return dbus.ObjectPath(path)


def _remove_object(path):
    if str(path) in dbusmock.mockobject.objects:
        _main().RemoveObject(str(path))


#
# Modem objects
#

def _set_modem_state(modem, new_state, reason=REASON_UNKNOWN):
    old_state = int(modem.props[MODEM_IFACE]['State'])
    if old_state == new_state:
        return
    # ModemManager emits the signal right away; the property follows in the
    # skeleton's coalesced PropertiesChanged.
    modem.EmitSignal(MODEM_IFACE, 'StateChanged', 'iiu', [
        dbus.Int32(old_state), dbus.Int32(new_state), dbus.UInt32(reason)])
    _update(modem, MODEM_IFACE, {'State': dbus.Int32(new_state)})


def _connected_bearers(modem):
    return [b for b in modem.props[MODEM_IFACE]['Bearers']
            if _bearer(b).props[BEARER_IFACE]['Connected']]


def _simple_status(modem):
    m = modem.props[MODEM_IFACE]
    g = modem.props[MODEM_3GPP_IFACE]
    return dbus.Dictionary({
        'state': dbus.UInt32(int(m['State']) & 0xffffffff),
        'signal-quality': m['SignalQuality'],
        'current-bands': m['CurrentBands'],
        'access-technologies': m['AccessTechnologies'],
        'm3gpp-registration-state': g['RegistrationState'],
        'm3gpp-operator-code': g['OperatorCode'],
        'm3gpp-operator-name': g['OperatorName'],
    }, signature='sv')


def _scan_results(modem):
    '''Modem3gpp.Scan: just the network the modem is registered on.'''
    g = modem.props[MODEM_3GPP_IFACE]
    return dbus.Array([dbus.Dictionary({
        'status': dbus.UInt32(2),  # MM_MODEM_3GPP_NETWORK_AVAILABILITY_CURRENT
        'operator-long': g['OperatorName'],
        'operator-short': g['OperatorName'],
        'operator-code': g['OperatorCode'],
        'access-technology': dbus.UInt32(ACCESS_TECH_LTE),
    }, signature='sv')], signature='a{sv}')


def _modem_enable(modem, enable):
    state = int(modem.props[MODEM_IFACE]['State'])
    if enable:
        if state > STATE_DISABLED:
            return
        _set_modem_state(modem, STATE_ENABLED, REASON_USER_REQUESTED)
        reg = int(modem.props[MODEM_3GPP_IFACE]['RegistrationState'])
        if reg in (REG_HOME, REG_ROAMING):
            _set_modem_state(modem, STATE_REGISTERED, REASON_USER_REQUESTED)
    else:
        if state <= STATE_DISABLED:
            return
        for b in modem.props[MODEM_IFACE]['Bearers']:
            _disconnect(_bearer(b))
        _set_modem_state(modem, STATE_DISABLING, REASON_USER_REQUESTED)
        _set_modem_state(modem, STATE_DISABLED, REASON_USER_REQUESTED)


def _simple_connect(modem, properties):
    bearers = modem.props[MODEM_IFACE]['Bearers']
    if bearers:
        bearer = _bearer(bearers[0])
    else:
        bearer = _bearer(_add_bearer(modem, '', True, properties))
    _connect(bearer, '', None)
    return dbus.ObjectPath(bearer.path)


def _simple_disconnect(modem, bearer_path):
    for b in modem.props[MODEM_IFACE]['Bearers']:
        if bearer_path in ('/', b):
            _disconnect(_bearer(b))


def _modem_props(index, name, sim_path, equipment_id):
    return {
        'Sim': sim_path,
        'SimSlots': dbus.Array([], signature='o'),
        'PrimarySimSlot': dbus.UInt32(0),
        'Bearers': dbus.Array([], signature='o'),
        'SupportedCapabilities': dbus.Array([dbus.UInt32(CAPS_3GPP)], signature='u'),
        'CurrentCapabilities': dbus.UInt32(CAPS_3GPP),
        'MaxBearers': dbus.UInt32(4),
        'MaxActiveBearers': dbus.UInt32(4),
        'MaxActiveMultiplexedBearers': dbus.UInt32(0),
        'Manufacturer': dbus.String('dbusmock'),
        'Model': dbus.String(name),
        'Revision': dbus.String('MOCK01.00.00'),
        'CarrierConfiguration': dbus.String('default'),
        'CarrierConfigurationRevision': dbus.String(''),
        'HardwareRevision': dbus.String('1.0'),
        'DeviceIdentifier': dbus.String(hashlib.sha1(f'{name}{equipment_id}'.encode()).hexdigest()),
        'Device': dbus.String(f'/sys/devices/pci0000:00/0000:00:14.0/usb2/2-{index + 1}'),
        'Drivers': dbus.Array(['qmi_wwan', 'option'], signature='s'),
        'Plugin': dbus.String('generic'),
        'PrimaryPort': dbus.String(f'cdc-wdm{index}'),
        'Ports': dbus.Array([dbus.Struct((f'cdc-wdm{index}', dbus.UInt32(PORT_QMI)), signature='su'),
                             dbus.Struct((f'wwan{index}', dbus.UInt32(PORT_NET)), signature='su')],
                            signature='(su)'),
        'EquipmentIdentifier': dbus.String(equipment_id),
        'UnlockRequired': dbus.UInt32(1),   # MM_MODEM_LOCK_NONE
        'UnlockRetries': dbus.Dictionary({}, signature='uu'),
        'State': dbus.Int32(STATE_REGISTERED),
        'StateFailedReason': dbus.UInt32(0),
        'AccessTechnologies': dbus.UInt32(ACCESS_TECH_LTE),
        'SignalQuality': dbus.Struct((dbus.UInt32(75), dbus.Boolean(True)), signature='ub'),
        'OwnNumbers': _no_strings(),
        'PowerState': dbus.UInt32(3),       # MM_MODEM_POWER_STATE_ON
        'SupportedModes': dbus.Array([dbus.Struct((dbus.UInt32(MODES_ALLOWED), dbus.UInt32(0)), signature='uu'),
                                      dbus.Struct((dbus.UInt32(MODES_ALLOWED), dbus.UInt32(MODE_4G)), signature='uu')],
                                     signature='(uu)'),
        'CurrentModes': dbus.Struct((dbus.UInt32(MODES_ALLOWED), dbus.UInt32(MODE_4G)), signature='uu'),
        'SupportedBands': dbus.Array([dbus.UInt32(b) for b in BANDS], signature='u'),
        'CurrentBands': dbus.Array([dbus.UInt32(b) for b in BANDS], signature='u'),
        'SupportedIpFamilies': dbus.UInt32(IP_FAMILIES),
    }


def _modem_3gpp_props(equipment_id, operator_id, operator_name):
    return {
        'Imei': dbus.String(equipment_id),
        'RegistrationState': dbus.UInt32(REG_HOME),
        'OperatorCode': dbus.String(operator_id),
        'OperatorName': dbus.String(operator_name),
        'EnabledFacilityLocks': dbus.UInt32(0),
        'SubscriptionState': dbus.UInt32(0),
        'EpsUeModeOperation': dbus.UInt32(0),
        'Pco': dbus.Array([], signature='(ubay)'),
        'InitialEpsBearer': dbus.ObjectPath('/'),
        'InitialEpsBearerSettings': _empty_dict(),
        'PacketServiceState': dbus.UInt32(2),  # ATTACHED
        'Nr5gRegistrationSettings': _empty_dict(),
    }


#
# Bearer objects
#

def _stats_dict(st):
    '''Bearer Stats exactly as libmm-glib 1.20 builds it (key order and types).'''
    return dbus.Dictionary({
        'duration': dbus.UInt32(st['duration']),
        'rx-bytes': dbus.UInt64(st['rx-bytes']),
        'tx-bytes': dbus.UInt64(st['tx-bytes']),
        'start-date': dbus.UInt64(st['start-date']),
        'attempts': dbus.UInt32(st['attempts']),
        'failed-attempts': dbus.UInt32(st['failed-attempts']),
        'total-duration': dbus.UInt32(st['total-duration']),
        'total-rx-bytes': dbus.UInt64(st['total-rx-bytes']),
        'total-tx-bytes': dbus.UInt64(st['total-tx-bytes']),
        'uplink-speed': dbus.UInt64(st['uplink-speed']),
        'downlink-speed': dbus.UInt64(st['downlink-speed']),
    }, signature='sv')


def _publish_stats(bearer):
    _update(bearer, BEARER_IFACE, {'Stats': _stats_dict(bearer.mm_stats)})


def _bearer_properties(properties):
    '''The bearer's Properties: the settings it was created with.'''
    props = dbus.Dictionary({}, signature='sv')
    props['apn'] = dbus.String(properties.get('apn', 'internet'))
    props['ip-type'] = dbus.UInt32(properties.get('ip-type', IP_FAMILY_IPV4V6))
    props['allow-roaming'] = dbus.Boolean(properties.get('allow-roaming', True))
    return props


def _ip4_config(bearer):
    n = bearer.mm_index % 250
    return dbus.Dictionary({
        'method': dbus.UInt32(IP_METHOD_STATIC),
        'address': dbus.String(f'10.{n}.0.2'),
        'prefix': dbus.UInt32(24),
        'gateway': dbus.String(f'10.{n}.0.1'),
        'dns1': dbus.String(f'10.{n}.0.1'),
        'mtu': dbus.UInt32(1500),
    }, signature='sv')


def _add_bearer(modem, interface, reload_stats_supported, properties):
    main = _main()
    st = main._mm
    index = st['next_bearer']
    st['next_bearer'] += 1
    path = f'{MAIN_OBJ}/Bearer/{index}'
    stats = {k: 0 for k in ('duration', 'rx-bytes', 'tx-bytes', 'start-date', 'attempts',
                            'failed-attempts', 'total-duration', 'total-rx-bytes',
                            'total-tx-bytes', 'uplink-speed', 'downlink-speed')}
    main.AddObject(path, BEARER_IFACE, {
        'Interface': dbus.String(''),
        'Connected': dbus.Boolean(False),
        'ConnectionError': dbus.Struct(('', ''), signature='ss'),
        'Suspended': dbus.Boolean(False),
        'Multiplexed': dbus.Boolean(False),
        'Ip4Config': _no_ip_config(),
        'Ip6Config': _no_ip_config(),
        'Stats': _stats_dict(stats),
        # ModemManager only learns this on the first successful connection
        'ReloadStatsSupported': dbus.Boolean(False),
        'IpTimeout': dbus.UInt32(BEARER_IP_TIMEOUT),
        'BearerType': dbus.UInt32(BEARER_TYPE_DEFAULT),
        'ProfileId': dbus.Int32(PROFILE_ID_UNKNOWN),
        'Properties': _bearer_properties(properties),
    }, [('Connect', '', '', lambda obj: _connect(obj, '', None)),
        ('Disconnect', '', '', lambda obj: _disconnect(obj))])

    bearer = dbusmock.get_object(path)
    bearer.mm_index = index
    bearer.mm_modem = modem.path
    net_port = modem.props[MODEM_IFACE]['Ports'][-1][0]
    bearer.mm_data_port = str(interface) or str(net_port)
    bearer.mm_reload_stats_supported = bool(reload_stats_supported)
    bearer.mm_session_start = None
    bearer.mm_stats = stats

    bearers = dbus.Array(modem.props[MODEM_IFACE]['Bearers'], signature='o')
    bearers.append(dbus.ObjectPath(path))
    _update(modem, MODEM_IFACE, {'Bearers': bearers})
    return dbus.ObjectPath(path)


def _remove_bearer(bearer):
    modem = dbusmock.get_object(bearer.mm_modem)
    _disconnect(bearer)
    bearers = dbus.Array([b for b in modem.props[MODEM_IFACE]['Bearers'] if b != bearer.path],
                         signature='o')
    _update(modem, MODEM_IFACE, {'Bearers': bearers})
    _remove_object(bearer.path)


def _start_attempt(bearer):
    '''mm_base_bearer_connect(): count the attempt, reset the ongoing session.'''
    st = bearer.mm_stats
    st['attempts'] += 1
    for key in ('duration', 'rx-bytes', 'tx-bytes', 'start-date', 'uplink-speed', 'downlink-speed'):
        st[key] = 0
    _update(bearer, BEARER_IFACE, {
        'Stats': _stats_dict(st),
        'ConnectionError': dbus.Struct(('', ''), signature='ss'),
    })


def _connect(bearer, interface, start_date):
    if bearer.props[BEARER_IFACE]['Connected']:
        return
    modem = dbusmock.get_object(bearer.mm_modem)
    first = not _connected_bearers(modem)

    _start_attempt(bearer)
    if first:
        _set_modem_state(modem, STATE_CONNECTING, REASON_USER_REQUESTED)

    # connect_ready() + bearer_update_status_connected() + bearer_stats_start():
    # one coalesced PropertiesChanged on the bearer.
    st = bearer.mm_stats
    st['start-date'] = int(time.time()) if start_date is None else int(start_date)
    bearer.mm_session_start = time.monotonic()
    values = {}
    if bearer.mm_reload_stats_supported:
        values['ReloadStatsSupported'] = dbus.Boolean(True)
    values.update({
        'Connected': dbus.Boolean(True),
        'Suspended': dbus.Boolean(False),
        'Interface': dbus.String(str(interface) or bearer.mm_data_port),
        'Ip4Config': _ip4_config(bearer),
        'Ip6Config': _no_ip_config(),
        'Stats': _stats_dict(st),
    })
    _update(bearer, BEARER_IFACE, values)

    if first:
        _set_modem_state(modem, STATE_CONNECTED, REASON_USER_REQUESTED)


def _fail_connect(bearer, error_name, message):
    if bearer.props[BEARER_IFACE]['Connected']:
        raise dbus.exceptions.DBusException('Bearer is connected', name=ERROR_CORE + '.WrongState')
    _start_attempt(bearer)
    bearer.mm_stats['failed-attempts'] += 1
    _update(bearer, BEARER_IFACE, {
        'Stats': _stats_dict(bearer.mm_stats),
        'ConnectionError': dbus.Struct((error_name, message), signature='ss'),
    })


def _session_duration(bearer):
    if bearer.mm_session_start is None:
        return 0
    return int(time.monotonic() - bearer.mm_session_start)


def _apply_ongoing_stats(bearer, duration, rx, tx):
    '''bearer_set_ongoing_interface_stats(): only increases are applied.

    A zero reading is ignored; a positive delta moves the session counter to
    the new value and adds the delta to the total; a lower reading (modem
    reset) is ignored, so the session counter never goes back.
    '''
    st = bearer.mm_stats
    updated = False
    for key, total, value in (('duration', 'total-duration', duration),
                              ('rx-bytes', 'total-rx-bytes', rx),
                              ('tx-bytes', 'total-tx-bytes', tx)):
        if value:
            delta = value - st[key]
            if delta > 0:
                st[key] = value
                st[total] += delta
                updated = True
    if updated:
        _publish_stats(bearer)


def _disconnect(bearer):
    if not bearer.props[BEARER_IFACE]['Connected']:
        return
    modem = dbusmock.get_object(bearer.mm_modem)
    last = len(_connected_bearers(modem)) == 1
    if last:
        _set_modem_state(modem, STATE_DISCONNECTING, REASON_USER_REQUESTED)

    # bearer_reset_interface_status() + bearer_stats_stop(): the session's
    # counters stay until the next connection attempt resets them.
    duration = _session_duration(bearer)
    bearer.mm_session_start = None
    st = bearer.mm_stats
    values = {
        'Multiplexed': dbus.Boolean(False),
        'Connected': dbus.Boolean(False),
        'Suspended': dbus.Boolean(False),
        'Interface': dbus.String(''),
        'Ip4Config': _no_ip_config(),
        'Ip6Config': _no_ip_config(),
    }
    if duration and duration > st['duration']:
        st['total-duration'] += duration - st['duration']
        st['duration'] = duration
        values['Stats'] = _stats_dict(st)
    _update(bearer, BEARER_IFACE, values)

    if last:
        _set_modem_state(modem, STATE_REGISTERED, REASON_USER_REQUESTED)


#
# Template entry point and the org.freedesktop.ModemManager1 interface
#

def load(mock, parameters):
    first = int(parameters.get('FirstIndex', 0))
    mock._mm = {
        'next_modem': first,
        'next_sim': first,
        'next_bearer': first,
        'modems': [],
        'operator_id': str(parameters.get('OperatorIdentifier', '00101')),
    }
    mock.AddProperties(MAIN_IFACE, {
        'Version': dbus.String(parameters.get('Version', '1.20.4')),
    })


@dbus.service.method(OBJECT_MANAGER_IFACE, in_signature='', out_signature='a{oa{sa{sv}}}')
def GetManagedObjects(self):
    '''Only modems: ModemManager exports SIMs and bearers outside its ObjectManager.'''
    return dbus.Dictionary({dbus.ObjectPath(p): dbusmock.get_object(p).props
                            for p in self._mm['modems']},
                           signature='oa{sa{sv}}')


@dbus.service.method(MAIN_IFACE, in_signature='', out_signature='')
def ScanDevices(_self):
    pass


@dbus.service.method(MAIN_IFACE, in_signature='s', out_signature='')
def SetLogging(_self, level):
    if level not in ('ERR', 'WARN', 'MSG', 'INFO', 'DEBUG', 'TRACE'):
        raise dbus.exceptions.DBusException(f'Invalid log level: {level}',
                                            name=ERROR_CORE + '.InvalidArgs')


@dbus.service.method(MAIN_IFACE, in_signature='a{sv}', out_signature='')
def ReportKernelEvent(_self, _properties):
    pass


@dbus.service.method(MAIN_IFACE, in_signature='sb', out_signature='')
def InhibitDevice(_self, _uid, _inhibit):
    pass


#
# Control interface
#

@dbus.service.method(MOCK_IFACE, in_signature='sssuss', out_signature='o')
def AddModem(self, name, iccid, eid, sim_type, operator_name, equipment_id):
    '''Add a registered modem with an active SIM; returns the modem path.

    sim_type: 1 physical, 2 eSIM. The SIM's operator identifier (and the
    registered network) is the OperatorIdentifier template parameter.
    '''
    st = self._mm
    index = st['next_modem']
    st['next_modem'] += 1
    path = f'{MAIN_OBJ}/Modem/{index}'

    sim_path = _add_sim(self, iccid, eid, sim_type, operator_name)
    self.AddObject(path, MODEM_IFACE, _modem_props(index, name, sim_path, equipment_id), [
        ('Enable', 'b', '', lambda obj, enable: _modem_enable(obj, enable)),
        ('ListBearers', '', 'ao', lambda obj: obj.props[MODEM_IFACE]['Bearers']),
        ('CreateBearer', 'a{sv}', 'o', lambda obj, props: _add_bearer(obj, '', True, props)),
        ('DeleteBearer', 'o', '', lambda obj, path: _remove_bearer(_bearer(path))),
        ('SetPowerState', 'u', '', ''),
        ('Command', 'su', 's', lambda obj, cmd, timeout: 'OK'),
    ])
    modem = dbusmock.get_object(path)
    modem.AddProperties(MODEM_3GPP_IFACE, _modem_3gpp_props(equipment_id, st['operator_id'],
                                                            operator_name))
    modem.AddMethods(MODEM_3GPP_IFACE, [
        ('Register', 's', '', ''),
        ('Scan', '', 'aa{sv}', lambda obj: _scan_results(obj)),
    ])
    # Modem.Simple has no properties, but the interface must be listed
    modem.props[MODEM_SIMPLE_IFACE] = _empty_dict()
    modem.AddMethods(MODEM_SIMPLE_IFACE, [
        ('Connect', 'a{sv}', 'o', lambda obj, props: _simple_connect(obj, props)),
        ('Disconnect', 'o', '', lambda obj, bearer: _simple_disconnect(obj, bearer)),
        ('GetStatus', '', 'a{sv}', lambda obj: _simple_status(obj)),
    ])

    st['modems'].append(path)
    self.object_manager_emit_added(path)
    return dbus.ObjectPath(path)


@dbus.service.method(MOCK_IFACE, in_signature='o', out_signature='')
def RemoveModem(self, modem_path):
    '''Unplug a modem: InterfacesRemoved, then its SIM and bearers vanish.'''
    modem = _modem(modem_path)
    self.object_manager_emit_removed(modem.path)
    self._mm['modems'].remove(modem.path)
    sim_path = modem.props[MODEM_IFACE]['Sim']
    bearers = list(modem.props[MODEM_IFACE]['Bearers'])
    self.RemoveObject(modem.path)
    for path in bearers:
        _remove_object(path)
    _remove_object(sim_path)


@dbus.service.method(MOCK_IFACE, in_signature='osb', out_signature='o')
def AddBearer(_self, modem_path, interface, reload_stats_supported):
    '''Add a disconnected bearer; returns its path.

    interface: the data port used when it connects ("" = the modem's net port).
    reload_stats_supported: whether the modem reports byte counters; as in
    ModemManager, ReloadStatsSupported turns TRUE on the first connection.
    '''
    return _add_bearer(_modem(modem_path), interface, reload_stats_supported, {})


@dbus.service.method(MOCK_IFACE, in_signature='o', out_signature='')
def RemoveBearer(_self, bearer_path):
    '''Delete a bearer (disconnecting it first, as ModemManager does).'''
    _remove_bearer(_bearer(bearer_path))


@dbus.service.method(MOCK_IFACE, in_signature='os', out_signature='')
def ConnectBearer(_self, bearer_path, interface):
    '''Connect a bearer: new session with start-date = now.'''
    _connect(_bearer(bearer_path), interface, None)


@dbus.service.method(MOCK_IFACE, in_signature='ost', out_signature='')
def ConnectBearerAt(_self, bearer_path, interface, start_date):
    '''Connect a bearer with a given session start-date (Unix seconds).'''
    _connect(_bearer(bearer_path), interface, start_date)


@dbus.service.method(MOCK_IFACE, in_signature='oss', out_signature='')
def FailConnectBearer(_self, bearer_path, error_name, message):
    '''A connection attempt that fails: attempts and failed-attempts go up.'''
    _fail_connect(_bearer(bearer_path), error_name, message)


@dbus.service.method(MOCK_IFACE, in_signature='o', out_signature='')
def DisconnectBearer(_self, bearer_path):
    '''Disconnect a bearer; its Stats keep the last session's values.'''
    _disconnect(_bearer(bearer_path))


@dbus.service.method(MOCK_IFACE, in_signature='ott', out_signature='')
def SetBearerStats(_self, bearer_path, rx_bytes, tx_bytes):
    '''One statistics refresh, as ModemManager's 30 s timer does it.

    Ignored while disconnected; without ReloadStatsSupported only the
    duration moves; counters that did not increase are ignored.
    '''
    bearer = _bearer(bearer_path)
    if not bearer.props[BEARER_IFACE]['Connected']:
        return
    if bearer.mm_reload_stats_supported:
        _apply_ongoing_stats(bearer, _session_duration(bearer), int(rx_bytes), int(tx_bytes))
    else:
        _apply_ongoing_stats(bearer, _session_duration(bearer), 0, 0)


@dbus.service.method(MOCK_IFACE, in_signature='ottttt', out_signature='')
def ForceBearerStats(_self, bearer_path, rx_bytes, tx_bytes, total_rx_bytes, total_tx_bytes,
                     start_date):
    '''Set raw Stats values with no ModemManager logic (other versions, resets).'''
    bearer = _bearer(bearer_path)
    st = bearer.mm_stats
    st.update({'rx-bytes': int(rx_bytes), 'tx-bytes': int(tx_bytes),
               'total-rx-bytes': int(total_rx_bytes), 'total-tx-bytes': int(total_tx_bytes),
               'start-date': int(start_date)})
    _publish_stats(bearer)


@dbus.service.method(MOCK_IFACE, in_signature='ossus', out_signature='o')
def SetSim(self, modem_path, iccid, eid, sim_type, operator_name):
    '''Switch the modem to a new SIM object (eSIM profile switch); returns it.'''
    modem = _modem(modem_path)
    old_sim = modem.props[MODEM_IFACE]['Sim']
    sim_path = _add_sim(self, iccid, eid, sim_type, operator_name)
    _update(modem, MODEM_IFACE, {'Sim': sim_path})
    if operator_name:
        _update(modem, MODEM_3GPP_IFACE, {'OperatorName': dbus.String(operator_name)})
    if old_sim != '/':
        _remove_object(old_sim)
    return sim_path


@dbus.service.method(MOCK_IFACE, in_signature='os', out_signature='')
def SetSimIdentifier(_self, sim_path, iccid):
    '''Change the ICCID of an existing SIM object.'''
    _update(_sim(sim_path), SIM_IFACE, {'SimIdentifier': dbus.String(iccid)})


@dbus.service.method(MOCK_IFACE, in_signature='ou', out_signature='')
def SetRegistrationState(_self, modem_path, state):
    '''3GPP registration state: 1 home, 5 roaming, 0 idle, ...'''
    _update(_modem(modem_path), MODEM_3GPP_IFACE, {'RegistrationState': dbus.UInt32(state)})


@dbus.service.method(MOCK_IFACE, in_signature='oss', out_signature='')
def SetOperator(_self, modem_path, code, name):
    '''The network the modem is registered on (Modem3gpp OperatorCode/Name).'''
    _update(_modem(modem_path), MODEM_3GPP_IFACE, {'OperatorCode': dbus.String(code),
                                                   'OperatorName': dbus.String(name)})


@dbus.service.method(MOCK_IFACE, in_signature='oi', out_signature='')
def SetModemState(_self, modem_path, state):
    '''Set the modem State (emits StateChanged and PropertiesChanged).'''
    _set_modem_state(_modem(modem_path), int(state))
