"""ROS message types: names, Python classes and complete ``ros2msg`` definitions.

An MCAP file (and a Foxglove live channel) carries, next to the raw CDR bytes of each
message, the schema needed to decode them without ROS: the type's ``.msg`` text followed
by the text of every type it uses, directly or through other types, in rosbag2's
``ros2msg`` layout::

    <the .msg text of pkg/msg/Type>
    ================================================================================
    MSG: std_msgs/Header
    <the .msg text of std_msgs/msg/Header>
    ...

Included types are named ``pkg/Type``, as rosbag2 writes them and as the fields of .msg
files spell them: Foxglove's parser (``@foxglove/rosmsg``) resolves a field's type by an
exact match with a ``MSG:`` name, so ``MSG: std_msgs/msg/Header`` would leave a
``std_msgs/Header`` field undefined (``neurobot/test/foxglove_rosmsg.py`` checks this).

The ``.msg`` files come from the packages' share directories (``<prefix>/share/<pkg>/msg``),
found through ``AMENT_PREFIX_PATH`` and, for the PyPI wheels, ``sys.prefix``.

No rclpy import here; only :func:`message_class` imports a message package.
"""

import importlib
import os
from pathlib import Path
import re
import sys

SEPARATOR = '=' * 80
# Field types of the .msg language that are not messages (rosidl's primitive types).
PRIMITIVE_TYPES = frozenset((
    'bool', 'byte', 'char', 'float32', 'float64', 'int8', 'uint8', 'int16', 'uint16',
    'int32', 'uint32', 'int64', 'uint64', 'string', 'wstring'))
_NAME = re.compile(r'^[A-Za-z][A-Za-z0-9_]*$')


def normalize_type_name(type_name: str) -> str:
    """Return the full name ``pkg/msg/Type`` of ``pkg/msg/Type`` or ``pkg/Type``.

    Raises:
        ValueError: not a message type name (services and actions are not recorded).
    """
    parts = str(type_name).strip().split('/')
    if len(parts) == 2:
        parts = [parts[0], 'msg', parts[1]]
    if len(parts) != 3 or parts[1] != 'msg' or not all(_NAME.match(p) for p in parts):
        raise ValueError(f'expected a message type name like "sensor_msgs/msg/LaserScan", '
                         f'got {type_name!r}')
    return '/'.join(parts)


def share_prefixes() -> list:
    """Install prefixes whose ``share/<pkg>/msg`` may hold .msg files, first wins.

    ``AMENT_PREFIX_PATH`` (a sourced ROS 2 or colcon workspace) comes first, then the
    Python environment (``sys.prefix``), where the ROS 2 wheels put their share files.
    """
    prefixes = [p for p in os.environ.get('AMENT_PREFIX_PATH', '').split(os.pathsep) if p]
    prefixes.append(sys.prefix)
    unique = []
    for prefix in prefixes:
        if prefix not in unique:
            unique.append(prefix)
    return [Path(p) for p in unique]


def msg_file(type_name: str, prefixes=None) -> Path:
    """Path of the ``.msg`` file of a message type.

    Raises:
        FileNotFoundError: naming every place looked at.
    """
    package, _, name = normalize_type_name(type_name).split('/')
    candidates = [prefix / 'share' / package / 'msg' / f'{name}.msg'
                  for prefix in (share_prefixes() if prefixes is None else prefixes)]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(
        f'no message definition for {type_name}: looked for '
        f'{", ".join(str(c) for c in candidates)} (is the package installed and its '
        f'prefix in AMENT_PREFIX_PATH?)')


def field_type_names(package: str, text: str) -> list:
    """Message types used by the fields of a .msg text, as ``pkg/msg/Type``, in order.

    Args:
        package: the package of the message (for field types written without a package).
        text: the .msg text.
    """
    used = []
    for line in text.splitlines():
        words = line.split('#', 1)[0].split()
        if not words:
            continue
        field_type = re.sub(r'\[.*$', '', words[0])  # uint8[], Point[3], int32[<=5]
        field_type = re.sub(r'<=.*$', '', field_type)  # string<=10
        if field_type in PRIMITIVE_TYPES:  # constants are always primitive too
            continue
        if field_type == 'Header':  # the one implicit package the .msg language keeps
            name = 'std_msgs/msg/Header'
        elif '/' in field_type:
            name = normalize_type_name(field_type)
        else:
            name = normalize_type_name(f'{package}/{field_type}')
        if name not in used:
            used.append(name)
    return used


def message_definition(type_name: str, read_text=None) -> str:
    """The complete ``ros2msg`` definition of a message type (see the module docstring).

    Args:
        type_name: ``pkg/msg/Type`` (or ``pkg/Type``).
        read_text: callable(full type name) -> .msg text; defaults to reading the file
            :func:`msg_file` finds.

    Raises:
        ValueError: a malformed type name; FileNotFoundError: a .msg file is missing.
    """
    if read_text is None:
        def read_text(name):
            return msg_file(name).read_text()
    root = normalize_type_name(type_name)
    texts = {}
    order = []
    pending = [root]
    while pending:  # depth first, each type once, in the order fields first use them
        name = pending.pop(0)
        if name in texts:
            continue
        texts[name] = read_text(name).rstrip('\n')
        order.append(name)
        dependencies = [d for d in field_type_names(name.split('/')[0], texts[name])
                        if d not in texts]
        pending[:0] = dependencies
    parts = [texts[root]]
    for name in order[1:]:
        package, _, type_ = name.split('/')
        parts.append(f'{SEPARATOR}\nMSG: {package}/{type_}\n{texts[name]}')
    return '\n'.join(parts) + '\n'


def message_class(type_name: str):
    """Import and return the Python class of a message type.

    Raises:
        ValueError: the package or the type cannot be imported, with the reason.
    """
    package, _, name = normalize_type_name(type_name).split('/')
    try:
        module = importlib.import_module(f'{package}.msg')
    except ImportError as error:
        raise ValueError(f'cannot import the message package of {type_name}: {error}') from None
    try:
        return getattr(module, name)
    except AttributeError:
        raise ValueError(f'{package}.msg has no message {name} (for {type_name})') from None
