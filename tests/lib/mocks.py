"""The project's python-dbusmock templates and how to start one with
mocklaunch.py (objects first, then the bus name, as the real services)."""

import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATES = os.path.join(os.path.dirname(HERE), 'templates')
MM_TEMPLATE = os.path.join(TEMPLATES, 'modemmanager.py')
NM_TEMPLATE = os.path.join(TEMPLATES, 'networkmanager.py')
MOCKLAUNCH = os.path.join(HERE, 'mocklaunch.py')
PYTHON = '/usr/bin/python3'


def command(template, params=None, session=False):
    """argv that runs @template (a path, or the name of a stock dbusmock
    template) with @params on the system bus, or the session bus."""
    return [PYTHON, MOCKLAUNCH, '-t', template, '-p', json.dumps(params or {})] + \
        (['--session'] if session else [])
