"""Where the wall time of lockstep rounds goes (ROS-free bookkeeping).

Fed with the ``/lockstep/done`` announcements (participant, round, compute_ms) and
the wall time at which each arrived, it splits every round's wall time into

- simulation: the slowest simulation-phase participant's compute (world and brain run
  in parallel),
- transfer: the slowest transfer-function participant's compute,
- orchestration: the rest (DDS hops, waiting for messages, executor wake-ups),

and keeps per-participant compute times for a summary at exit. A round's wall time is
the time between the last announcement of round ``r - 1`` and that of round ``r``.

Without lockstep (the brain on wall-clock time against a real robot, or on /clock),
:class:`BrainStepTimer` does the same for brain_node's ``brain/step`` reports: compute
per step (NEST and total) and overruns, steps that took longer than real time.
"""

from dataclasses import dataclass, field
import statistics

from neurobot.lockstep import SIMULATION, TRANSFER


@dataclass
class RoundTiming:
    """One finished round, ms."""

    round: int
    wall_ms: float
    simulation_ms: float
    transfer_ms: float
    orchestration_ms: float
    compute_ms: dict = field(default_factory=dict)  # participant -> compute


class RoundTimer:
    """Collects announcements and emits a RoundTiming when a round is complete.

    Args:
        participants: name -> phase (neurobot.lockstep.SIMULATION or TRANSFER).
    """

    def __init__(self, participants: dict):
        self.participants = dict(participants)
        self._pending = {}  # round -> {participant: (arrival_s, compute_ms)}
        self._last_end_s = None
        self.rounds = []

    def on_done(self, participant: str, round_: int, compute_ms: float, arrival_s: float):
        """Take an announcement; return the RoundTiming if it completed a round, else None."""
        if participant not in self.participants or round_ < 0:
            return None
        if round_ == 0:
            self._last_end_s = arrival_s if self._last_end_s is None else max(self._last_end_s,
                                                                              arrival_s)
            return None
        entries = self._pending.setdefault(round_, {})
        entries[participant] = (arrival_s, compute_ms)
        if len(entries) < len(self.participants):
            return None
        del self._pending[round_]
        end_s = max(arrival for arrival, _ in entries.values())
        start_s = self._last_end_s if self._last_end_s is not None else min(
            arrival for arrival, _ in entries.values())
        self._last_end_s = end_s
        compute = {name: ms for name, (_, ms) in entries.items()}
        simulation = max((ms for n, ms in compute.items()
                          if self.participants[n] == SIMULATION), default=0.0)
        transfer = max((ms for n, ms in compute.items()
                        if self.participants[n] == TRANSFER), default=0.0)
        wall = (end_s - start_s) * 1e3
        timing = RoundTiming(round=round_, wall_ms=wall, simulation_ms=simulation,
                             transfer_ms=transfer, orchestration_ms=wall - simulation - transfer,
                             compute_ms=compute)
        self.rounds.append(timing)
        return timing

    def summary(self) -> dict:
        """Medians over the rounds so far, plus the number of rounds.

        Medians of wall, simulation, transfer, orchestration, and compute per participant
        (ms).
        """
        if not self.rounds:
            return {'rounds': 0}
        result = {'rounds': len(self.rounds)}
        for key in ('wall_ms', 'simulation_ms', 'transfer_ms', 'orchestration_ms'):
            result[key] = statistics.median(getattr(r, key) for r in self.rounds)
        for name in self.participants:
            values = [r.compute_ms[name] for r in self.rounds if name in r.compute_ms]
            if values:
                result[f'{name}_ms'] = statistics.median(values)
        return result


@dataclass
class StepReport:
    """What the brain-step monitor says about the steps since its last report."""

    step: int
    steps: int  # steps seen since the last report
    overruns: int  # brain_node's running total
    new_overruns: int  # since the last report
    step_ms: float
    nest_ms: float  # median since the last report
    total_ms: float  # median since the last report


class BrainStepTimer:
    """Collects brain_node's BrainStep reports (wall-clock or /clock stepping, no lockstep).

    brain_node counts overruns itself (a step that ended after the next was due, see
    brain_node.stepping.WallClockPacer) and sends the running total with every step;
    this keeps the per-step compute times for reports and a summary at exit.
    """

    def __init__(self):
        self.nest_ms, self.total_ms = [], []
        self.overruns = 0
        self.steps = 0
        self._reported_overruns = 0
        self._since = 0  # index into nest_ms/total_ms of the last report

    def on_step(self, step: int, step_ms: float, nest_ms: float, total_ms: float,
                overruns: int, report: bool) -> 'StepReport | None':
        """Take one step; return a StepReport when ``report``, else None."""
        self.steps += 1
        self.nest_ms.append(nest_ms)
        self.total_ms.append(total_ms)
        self.overruns = max(self.overruns, int(overruns))
        if not report:
            return None
        nest, total = self.nest_ms[self._since:], self.total_ms[self._since:]
        result = StepReport(step=step, steps=len(total), overruns=self.overruns,
                            new_overruns=self.overruns - self._reported_overruns,
                            step_ms=step_ms, nest_ms=statistics.median(nest),
                            total_ms=statistics.median(total))
        self._since = len(self.total_ms)
        self._reported_overruns = self.overruns
        return result

    def summary(self) -> dict:
        """Steps, overruns, and median NEST and total compute per step (ms)."""
        if not self.steps:
            return {'steps': 0}
        return {'steps': self.steps, 'overruns': self.overruns,
                'nest_ms': statistics.median(self.nest_ms),
                'total_ms': statistics.median(self.total_ms)}
