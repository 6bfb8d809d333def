"""Rate limiting of transfer-function calls in simulation time (pure logic, no ROS).

A transfer function is triggered by its inputs (a brain step, a scan, /clock ticks)
but should run at most ``rate_hz`` times per simulated second. :class:`Throttle`
decides, for each trigger time, whether the call may run.

Rule (integer nanoseconds throughout, so counts are exact over any run length):

* The first trigger always runs and anchors a grid of due times
  ``due_k = anchor + ceil(k * period_ns)``, ``period_ns = 1e9 / rate_hz`` computed as
  an exact fraction (no drift, even when the period is not a whole number of ns).
* A trigger at ``t`` runs iff ``t >= `` the next due time, i.e. the first trigger at
  or after each due time runs. Due times that passed without a trigger are skipped,
  not caught up, so a burst never follows a gap.
* Hence at most one call per period slot ``[due_k, due_{k+1})``: over ``[anchor,
  anchor + n * period)`` at most ``n`` calls, exactly ``n`` when triggers come at
  least once per period. With 100 Hz triggers and ``rate_hz = 10`` that is 10 calls
  per simulated second whatever the start time; with ``rate_hz = 30`` the long-run
  mean is 30 Hz too (calls 30 or 40 ms apart), where an "at least one period since
  the last call" rule would give only 25 Hz. The price: when triggers do not fall
  on due times, two calls can be up to one trigger interval closer than a period,
  so a 1 s window not aligned with the grid may hold ``rate_hz + 1`` calls.
* A trigger earlier than the last call (the simulation was reset and time went
  back) runs and re-anchors the grid.
"""

from __future__ import annotations

from fractions import Fraction
from numbers import Integral, Real

from ._checks import NS_PER_MS, real

NS_PER_S = 1_000_000_000  # ns per s


class Throttle:
    """Lets at most ``rate_hz`` calls per second of simulation time through.

    Args:
        rate_hz: Maximum call rate, > 0; ``0`` or ``None`` lets every call through.

    Raises:
        TypeError: if ``rate_hz`` is not a number or ``None``.
        ValueError: if it is negative, NaN or infinite.
    """

    def __init__(self, rate_hz: float | None) -> None:
        if rate_hz is None:
            self._rate_hz = 0.0
        else:
            if isinstance(rate_hz, bool) or not isinstance(rate_hz, Real):
                raise TypeError(f'rate_hz: expected a number of calls per second or None, '
                                f'got {rate_hz!r}')
            self._rate_hz = real('rate_hz', rate_hz, minimum=0.0)
        if self._rate_hz > 0.0:
            # The period as an exact fraction of ns, num / den.
            period_ns = Fraction(NS_PER_S) / Fraction(self._rate_hz)
            self._period_num = period_ns.numerator
            self._period_den = period_ns.denominator
        self._anchor_ns: int | None = None
        self._last_ns = 0
        self._due_ns = 0

    @property
    def rate_hz(self) -> float:
        """The rate limit; 0 when unthrottled."""
        return self._rate_hz

    @property
    def throttled(self) -> bool:
        return self._rate_hz > 0.0

    @property
    def period_ns(self) -> float | None:
        """Nominal period in ns (``None`` when unthrottled)."""
        return self._period_num / self._period_den if self.throttled else None

    @property
    def next_due_ns(self) -> int | None:
        """Earliest time the next call may run.

        ``None`` before the first call or when unthrottled (any time then).
        """
        return self._due_ns if self.throttled and self._anchor_ns is not None else None

    def _due(self, k: int) -> int:
        return self._anchor_ns + -((-k * self._period_num) // self._period_den)  # ceil

    def allow(self, now_ns: int) -> bool:
        """Whether a call triggered at ``now_ns`` may run; if so, it is counted as run.

        Args:
            now_ns: Simulation time of the trigger in integer nanoseconds (e.g. a
                ``builtin_interfaces/Time`` as ``sec * 10**9 + nanosec``).

        Raises:
            TypeError: if ``now_ns`` is not an int.
        """
        if isinstance(now_ns, bool) or not isinstance(now_ns, Integral):
            raise TypeError(f'now_ns: expected an int of nanoseconds, got {now_ns!r}')
        now_ns = int(now_ns)
        if not self.throttled:
            return True
        if self._anchor_ns is None or now_ns < self._last_ns:
            self._anchor_ns = now_ns
            self._due_ns = self._due(1)
        elif now_ns >= self._due_ns:
            # The first slot boundary after now: skipped slots are not caught up.
            k = (now_ns - self._anchor_ns) * self._period_den // self._period_num + 1
            self._due_ns = self._due(k)
        else:
            return False
        self._last_ns = now_ns
        return True

    def allow_ms(self, now_ms: float) -> bool:
        """:meth:`allow` for a time in ms (rounded to the nearest ns)."""
        now_ms = real('now_ms', now_ms)
        return self.allow(int(round(now_ms * NS_PER_MS)))

    def reset(self) -> None:
        """Forget past calls: the next trigger runs and re-anchors the grid."""
        self._anchor_ns = None
        self._last_ns = 0
        self._due_ns = 0
