"""Keep DDS traffic on this machine unless the user asks otherwise.

Fast DDS multicasts discovery on every network interface by default. Every neurobot
entry point calls :func:`configure_local_dds` before ``rclpy.init`` so that nodes,
tests and benchmarks talk over shared memory and loopback only, using the profile
``config/fastdds_localhost.xml``.

Opt out (e.g. to reach a real robot on the network) with ``NEUROBOT_DDS=system``; an
explicitly set ``FASTDDS_DEFAULT_PROFILES_FILE`` is always respected.

A user's own terminal joins the same DDS with ``eval "$(neurobot env)"``
(:func:`shell_exports`), so that ``ros2 topic list`` there sees the nodes.
"""

import logging
import os
from pathlib import Path
import shlex
import sys

from neurobot.paths import share_path

LOCAL_PROFILE = ('config', 'fastdds_localhost.xml')
_log = logging.getLogger(__name__)


def local_dds_environment() -> dict:
    """Return the environment variables that confine Fast DDS to this machine.

    Raises:
        FileNotFoundError: the profile is missing. Fast DDS would otherwise fall back,
            silently, to its multicast defaults on every interface.
    """
    profile = share_path(*LOCAL_PROFILE)
    if not profile.is_file():
        raise FileNotFoundError(f'the local-only Fast DDS profile {profile} is missing; '
                                f'refusing to start DDS with its network-wide defaults')
    return {
        'RMW_IMPLEMENTATION': 'rmw_fastrtps_cpp',
        'FASTDDS_DEFAULT_PROFILES_FILE': str(profile),
        # Leave discovery to the profile. LOCALHOST would make rmw add transports of
        # its own, one of them bound to every interface; SUBNET adds a multicast peer.
        'ROS_AUTOMATIC_DISCOVERY_RANGE': 'SYSTEM_DEFAULT',
        # Ignore a DEFAULT_FASTDDS_PROFILES.xml that happens to lie in the working directory.
        'SKIP_DEFAULT_XML_FILE': '1',
    }


def configure_local_dds(environ=None) -> bool:
    """Confine DDS to shared memory and loopback in ``environ`` (default: this process).

    Must run before ``rclpy.init()``: Fast DDS reads the profile when the first
    participant is created. Child processes inherit the settings.

    Args:
        environ: mapping to modify; ``os.environ`` when None.

    Returns:
        True when the local profile is in force, False when the user opted out
        (``NEUROBOT_DDS=system``) or chose their own profile file.
    """
    env = os.environ if environ is None else environ
    if env.get('NEUROBOT_DDS', 'local').lower() == 'system':
        _log.info('NEUROBOT_DDS=system: using the system DDS configuration')
        return False
    if env.get('FASTDDS_DEFAULT_PROFILES_FILE'):
        return False
    settings = local_dds_environment()
    # The profile decides discovery: override a LOCALHOST/SUBNET range from the shell.
    env['ROS_AUTOMATIC_DISCOVERY_RANGE'] = settings.pop('ROS_AUTOMATIC_DISCOVERY_RANGE')
    for key, value in settings.items():
        env.setdefault(key, value)
    return True


def shell_exports(environ=None, prefix=None) -> str:
    """Shell ``export`` lines that make a terminal talk to neurobot's nodes.

    The same DDS settings :func:`configure_local_dds` gives the nodes (none when the user
    opted out or chose a profile), the ``ROS_DOMAIN_ID`` in force, and ``prefix`` (this
    Python environment, where the set-up registered neurobot in the ament index) put
    first on ``AMENT_PREFIX_PATH`` so that ``ros2 run/launch/interface`` find neurobot
    and neurobot_interfaces.

    Args:
        environ: the environment the terminal has (default: this process's).
        prefix: install prefix to add (default: ``sys.prefix``).
    """
    env = os.environ if environ is None else environ
    prefix = str(sys.prefix if prefix is None else prefix)
    exports = {}
    if env.get('NEUROBOT_DDS', 'local').lower() != 'system' \
            and not env.get('FASTDDS_DEFAULT_PROFILES_FILE'):
        exports.update(local_dds_environment())
    if env.get('ROS_DOMAIN_ID'):
        exports['ROS_DOMAIN_ID'] = env['ROS_DOMAIN_ID']
    index = Path(prefix) / 'share' / 'ament_index' / 'resource_index' / 'packages'
    if (index / 'neurobot').is_file():
        paths = [p for p in env.get('AMENT_PREFIX_PATH', '').split(os.pathsep) if p]
        exports['AMENT_PREFIX_PATH'] = os.pathsep.join([prefix] + [p for p in paths
                                                                   if p != prefix])
    return '\n'.join(f'export {name}={shlex.quote(value)}'
                     for name, value in exports.items())
