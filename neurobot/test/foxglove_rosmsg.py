"""Check ``ros2msg`` schemas the way Foxglove reads them.

Foxglove (app, Studio, Lichtblick) decodes ROS 2 channels of an MCAP file or a live
WebSocket connection with its parser ``@foxglove/rosmsg`` (``parse(text, {ros2: true})``).
mcap_ros2 and rosbags are more lenient, so a schema they accept may still be refused
there. Two checks:

- :func:`check_schema`: a Python port of that parser's rules (``src/parse.ts``,
  ``src/buildRos2Type.ts`` of foxglove/rosmsg 5.0.4): definitions split at ``==`` lines,
  each named by its ``MSG:`` line, every definition line matching the ROS 2 grammar, and
  every complex field type resolved by ``fixupTypes``/``findTypeByName``: a name with a
  slash must equal a ``MSG:`` name exactly, ``Header`` is ``std_msgs/Header``, a bare
  name is looked up in the namespace of the definition that uses it.
- :func:`foxglove_parse`: the real parser, run with node on the module installed by
  ``scripts/install_test_tools.sh`` (None when node or the module is missing).
"""

import json
import os
from pathlib import Path
import re
import shutil
import subprocess

REPO = Path(__file__).resolve().parents[2]
NODE_PREFIX = REPO / 'build' / 'node'  # npm install --prefix (scripts/install_test_tools.sh)
ROSMSG_VERSION = '5.0.4'

# buildRos2Type.ts: types that are not complex
BUILTIN_TYPES = frozenset((
    'bool', 'byte', 'char', 'float32', 'float64', 'int8', 'uint8', 'int16', 'uint16',
    'int32', 'uint32', 'int64', 'uint64', 'string', 'wstring', 'time', 'duration',
    'builtin_interfaces/Time', 'builtin_interfaces/Duration',
    'builtin_interfaces/msg/Time', 'builtin_interfaces/msg/Duration'))
DEFINITION_LINE = re.compile(
    r'^(?P<type>[a-zA-Z0-9_/]+)(?:<=\d+)?(?:\[\]|\[\d+\]|\[<=\d+\])?\s+'
    r'(?P<name>[a-zA-Z0-9_]+)(?P<rest>.*)$')
MSG_LINE = re.compile(r'^MSG: ([^ ]+)\s*(?:#.+)?$')
CONSTANT_NAME = re.compile(r'^[A-Z](?:_?[A-Z0-9]+)*$')
FIELD_NAME = re.compile(r'^[a-z](?:_?[a-z0-9]+)*$')


def _build_type(lines):
    name, fields = None, []
    for line in lines:
        match = MSG_LINE.match(line)
        if match:
            name = match.group(1)
            continue
        match = DEFINITION_LINE.match(line)
        if not match:
            raise ValueError(f"Could not parse line: '{line}'")
        field_type, field_name = match.group('type'), match.group('name')
        rest = match.group('rest').strip()
        constant = rest.startswith('=')
        if constant and not CONSTANT_NAME.match(field_name):
            raise ValueError(f'Invalid constant name: {field_name}')
        if not constant and not FIELD_NAME.match(field_name):
            raise ValueError(f'Invalid field name: {field_name}')
        fields.append((field_type, field_type not in BUILTIN_TYPES))
    return name, fields


def _find_type(names, wanted, namespace):
    if '/' in wanted:
        matches = [n for n in names if n == wanted]
    elif wanted == 'Header':
        matches = [n for n in names if n == 'std_msgs/Header']
    elif namespace:
        matches = [n for n in names if n == f'{namespace}/{wanted}']
    else:
        matches = [n for n in names if n.endswith(f'/{wanted}')]
    if not matches:
        raise ValueError(f"Expected 1 top level type definition for '{wanted}' but found 0")
    if len(matches) > 1:
        raise ValueError(f"Cannot unambiguously determine fully-qualified type name for "
                         f"'{wanted}'")
    return matches[0]


def check_schema(text: str):
    """Raise ValueError with Foxglove's message where its parser would refuse ``text``."""
    blocks, current = [], []
    for line in (raw.strip() for raw in text.split('\n')):
        if not line or line.startswith('#'):
            continue
        if line.startswith('=='):
            blocks.append(current)
            current = []
        else:
            current.append(line)
    blocks.append(current)
    types = [_build_type(block) for block in blocks]
    names = [name or '' for name, _ in types]
    for name, fields in types:
        namespace = '/'.join(name.split('/')[:-1]) if name else None
        for field_type, complex_ in fields:
            if complex_:
                _find_type(names, field_type, namespace)


def node_unavailable_reason():
    """Why the real parser cannot run here (None when it can)."""
    if shutil.which('node') is None:
        return 'node (Node.js) is not installed: the real @foxglove/rosmsg parser cannot run'
    if not (NODE_PREFIX / 'node_modules' / '@foxglove' / 'rosmsg').is_dir():
        return (f'@foxglove/rosmsg is not installed in {NODE_PREFIX}: run '
                f'scripts/install_test_tools.sh (or npm install --prefix {NODE_PREFIX} '
                f'@foxglove/rosmsg@{ROSMSG_VERSION})')
    return None


_PARSE_ALL = r'''
const {parse} = require('@foxglove/rosmsg');
let input = '';
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const errors = {};
  for (const [name, text] of Object.entries(JSON.parse(input))) {
    try { parse(text, {ros2: true}); } catch (error) { errors[name] = String(error.message); }
  }
  process.stdout.write(JSON.stringify(errors));
});
'''


def foxglove_parse(schemas: dict) -> dict:
    """Parse every schema (name -> ros2msg text) with the real ``@foxglove/rosmsg``.

    Returns:
        name -> error message of every schema the parser refused ({} when all parse).
    """
    env = dict(os.environ, NODE_PATH=str(NODE_PREFIX / 'node_modules'))
    result = subprocess.run(['node', '-e', _PARSE_ALL], input=json.dumps(schemas), env=env,
                            capture_output=True, text=True, timeout=120, check=True)
    return json.loads(result.stdout)
