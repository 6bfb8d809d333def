"""ROS time stamps (builtin_interfaces/Time) <-> integer nanoseconds, exactly.

Integer arithmetic on purpose: stamps mark step and round boundaries, and a float
detour (seconds or milliseconds) would move a boundary by a rounding error. ROS-free
until a Time message is built, so the offline analysis can use ``stamp_ns`` too.
"""

NS_PER_S = 1_000_000_000  # ns per s


def time_msg(ns: int):
    """A builtin_interfaces/Time of ``ns`` nanoseconds."""
    from builtin_interfaces.msg import Time
    return Time(sec=int(ns // NS_PER_S), nanosec=int(ns % NS_PER_S))


def stamp_ns(stamp) -> int:
    """Nanoseconds of a stamp (anything with ``sec`` and ``nanosec``, e.g. header.stamp)."""
    return int(stamp.sec) * NS_PER_S + int(stamp.nanosec)
