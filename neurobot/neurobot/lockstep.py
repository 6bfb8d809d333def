"""Deterministic lockstep between world, brain and transfer functions (ROS-free core).

A run advances in rounds of ``step_ms``. Round ``r`` covers simulation time
``[(r - 1) * step_ms, r * step_ms]`` and has two phases:

1. *simulation phase*: the world and the brain advance by one step, in parallel, using
   the inputs the transfer functions computed in round ``r - 1``;
2. *transfer-function phase*: the synchronous transfer functions run on what the world
   and the brain produced in round ``r`` (sensors at ``r * step_ms``, spikes of the
   step) and publish inputs for round ``r + 1``.

There is no central clock on the critical path: every participant announces on
``/lockstep/done`` that it finished a round, together with how many messages it has
published so far on each of its data topics. A participant starts its part of a round
when (a) every participant of the other phase has finished the round before, and (b)
it has *received* as many messages on each of its input topics as their publishers
announced. (b) is what makes a run deterministic: DDS keeps the order of messages on one
topic but not across topics, so a 'done' can overtake the data published before it.

Round 0 is the announcement that a participant is up and subscribed ('ready').

This module holds the bookkeeping, without ROS, so that the rules are unit-tested; the
nodes wire it to topics through :mod:`neurobot.lockstep_node`.
"""

from dataclasses import dataclass, field

SIMULATION = 'simulation'  # phase 1: world, brain
TRANSFER = 'transfer'  # phase 2: synchronous transfer functions
PHASES = (SIMULATION, TRANSFER)


@dataclass
class Announcement:
    """One participant's latest 'done'.

    Attributes:
        round: the last round the participant finished (0: ready).
        published: topic -> number of messages published on it so far (cumulative).
        compute_ms: wall time the participant spent computing its last round.
    """

    round: int = -1
    published: dict = field(default_factory=dict)
    compute_ms: float = 0.0


class LockstepBarrier:
    """Decides when one participant may run its part of the next round.

    Args:
        name: this participant's name.
        phase: SIMULATION or TRANSFER.
        participants: every participant's name -> phase (this one included).
        input_topics: fully qualified names of the data topics this participant reads
            that are published by other participants (counts are checked on them).
    """

    def __init__(self, name: str, phase: str, participants: dict, input_topics=()):
        if phase not in PHASES:
            raise ValueError(f'phase must be one of {PHASES}, got {phase!r}')
        if participants.get(name) != phase:
            raise ValueError(f'participant {name!r} must be listed in participants with phase '
                             f'{phase!r}; got {participants!r}')
        unknown = {p for p in participants.values() if p not in PHASES}
        if unknown:
            raise ValueError(f'unknown phases {sorted(unknown)}; expected one of {PHASES}')
        self.name = name
        self.phase = phase
        self.participants = dict(participants)
        self.others = {n: Announcement() for n in participants if n != name}
        self.received = {topic: 0 for topic in input_topics}
        self.rounds_done = 0  # this participant's last finished round

    # ------------------------------------------------------------------ inputs

    def add_input_topic(self, topic: str):
        """Count messages on another input topic (before the first round)."""
        self.received.setdefault(topic, 0)

    def on_message(self, topic: str):
        """Count one message received on an input topic."""
        if topic in self.received:
            self.received[topic] += 1

    def on_done(self, participant: str, round_: int, published: dict, compute_ms: float = 0.0):
        """Take another participant's announcement (older or unknown ones are ignored)."""
        entry = self.others.get(participant)
        if entry is None or round_ < entry.round:
            return
        entry.round = round_
        entry.published = dict(published)
        entry.compute_ms = compute_ms

    # ------------------------------------------------------------------ decisions

    def _predecessors(self):
        """Participants whose previous work this participant's next round depends on."""
        other_phase = TRANSFER if self.phase == SIMULATION else SIMULATION
        return [n for n, phase in self.participants.items() if phase == other_phase]

    def required_round(self, next_round: int) -> int:
        """The round every predecessor must have finished before ``next_round`` runs here."""
        # the simulation phase of round r needs the transfer functions of round r - 1;
        # the transfer phase of round r needs the simulation of round r itself.
        return next_round - 1 if self.phase == SIMULATION else next_round

    def expected(self) -> dict:
        """Input topic -> messages announced so far by every other participant."""
        totals = {topic: 0 for topic in self.received}
        for entry in self.others.values():
            for topic, count in entry.published.items():
                if topic in totals:
                    totals[topic] += count
        return totals

    def everyone_ready(self) -> bool:
        """True once every other participant announced round 0 or later."""
        return all(entry.round >= 0 for entry in self.others.values())

    def ready_for(self, next_round: int) -> bool:
        """True when this participant may run ``next_round`` now."""
        if not self.everyone_ready():
            return False
        needed = self.required_round(next_round)
        if any(self.others[n].round < needed for n in self._predecessors() if n in self.others):
            return False
        expected = self.expected()
        return all(self.received[t] >= expected[t] for t in self.received)

    def _round_of(self, participant: str) -> int:
        if participant == self.name:
            return self.rounds_done
        return self.others[participant].round

    def stalled(self) -> list:
        """The other participants that hold the run up, as (name, last round announced).

        A participant holds the run up when nothing it depends on is missing (as far as
        the announcements show) and still it did not announce its next round: it hangs,
        was stopped or killed. Those that only wait for it are not named, so a hung brain
        is blamed on the brain, not on the transfer functions waiting for it.
        """
        stalled = []
        for name, entry in self.others.items():
            if entry.round < 0:
                stalled.append((name, entry.round))
                continue
            phase = self.participants[name]
            next_round = entry.round + 1
            needed = next_round - 1 if phase == SIMULATION else next_round
            blocked = any(self._round_of(other) < needed
                          for other, other_phase in self.participants.items()
                          if other_phase != phase)
            if not blocked:
                stalled.append((name, entry.round))
        return sorted(stalled)

    def waiting_for(self, next_round: int) -> str:
        """Describe what ``next_round`` is still waiting for (for timeout messages)."""
        missing = [n for n, e in self.others.items() if e.round < 0]
        if missing:
            return 'participants not up yet: ' + ', '.join(sorted(missing))
        needed = self.required_round(next_round)
        late = [n for n in self._predecessors() if n in self.others
                and self.others[n].round < needed]
        if late:
            stalled = self.stalled()
            if stalled:
                waiting = sorted(n for n in self.others if n not in dict(stalled))
                verb = 'waits' if len(waiting) == 1 else 'wait'
                also = f'; {", ".join(waiting)} {verb} for it as well' if waiting else ''
                return 'no answer from ' + ', '.join(
                    f'{n} (it did not finish round {r + 1}; its last announcement: round {r})'
                    for n, r in stalled) + also
            return 'no answer from ' + ', '.join(
                f'{n} (finished round {self.others[n].round}, needed {needed})' for n in late)
        expected = self.expected()
        short = [t for t in self.received if self.received[t] < expected[t]]
        if not short:
            return 'nothing'
        publishers = sorted({n for n, e in self.others.items() for t in short
                             if e.published.get(t)})
        return (f'no answer from {", ".join(publishers) or "?"} (messages still missing on '
                + ', '.join(f'{t} ({self.received[t]} of {expected[t]} messages)'
                            for t in short) + ')')

    def finish(self, round_: int):
        """Record that this participant finished ``round_``."""
        if round_ != self.rounds_done + 1:
            raise ValueError(f'{self.name}: finished round {round_} after round '
                             f'{self.rounds_done}; rounds must not be skipped')
        self.rounds_done = round_


def parse_participants(simulation, transfer) -> dict:
    """Build the participants dict from two name lists (launch parameters).

    Raises:
        ValueError: a name listed twice or empty.
    """
    participants = {}
    for names, phase in ((simulation, SIMULATION), (transfer, TRANSFER)):
        for name in names:
            if not name:
                raise ValueError('empty lockstep participant name')
            if name in participants:
                raise ValueError(f'lockstep participant {name!r} is listed twice')
            participants[name] = phase
    return participants
