"""Keep DDS traffic on this machine unless the user asks otherwise.

Fast DDS multicasts discovery on every network interface by default. Every neurobot
entry point calls :func:`configure_local_dds` before ``rclpy.init`` so that nodes,
tests and benchmarks talk over shared memory and loopback only, using the profile
``config/fastdds_localhost.xml``.

Opt out (e.g. to reach a real robot on the network) with ``NEUROBOT_DDS=system``; an
explicitly set ``FASTDDS_DEFAULT_PROFILES_FILE`` is always respected.
"""

import logging
import os

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
