"""Run one generated brain through a random schedule and check every answer.

``run_brain(seed, directory)`` writes the brain of ``seed`` (:mod:`brain_generator`),
builds it with brain_node's ``Brain``, draws a schedule of operations from the same
seed and executes it, checking each operation against the :mod:`oracle`:

- build: every projection's synapses (fresh from NEST) equal PyNN's own
  ``Projection.get`` and what the file declares exactly (FromList lists, all-to-all and
  one-to-one patterns, scalar and array weights); ``describe_projections`` counts,
  sizes, units and sign rules match;
- ``step``: spikes only of recorded populations, counts match the neuron list, times
  inside the step;
- ``get``: equals the truth (NaN pattern exact, values within 1e-12 relative); a
  projection with real multapses gets a ValueError that says so;
- ``set``: a random subset of synapses gets random values of the allowed sign; right
  after it (no stepping, so plastic weights hold still) exactly those synapses changed,
  to the values asked for, and every other synapse of every projection is bit-identical;
- ``bad_set``: wrong shape, wrong length, NaN or inf at a connection, a value where
  there is none, a forbidden sign, an unknown name (get_weights too): ValueError and
  nothing changed;
- ``reset``: with ``restore_weights`` every projection is back to its initial weights
  bit for bit, without it static weights are untouched; the message names every model
  without an exact reset, every plastic projection and Poisson input;
- ``replay``: reset with restored weights, then the opening steps again: where the
  brain has no Poisson input and no plastic synapse and brain_node claims an exact
  reset for every model (``describe_populations().exact_reset``), the spikes equal the
  fresh brain's, as sorted (time, neuron) sets and in the order they were published;
- ``silence``: the probe source drives its target (positive control), then all weights
  of the probe projection are set to 0, and after in-flight input has settled the
  target fires no more.

A failure raises :class:`GeneratedBrainFailure`, whose message holds the seed, the
brain file and a script that replays the schedule up to the failing operation.
"""

from dataclasses import dataclass, field
from pathlib import Path
import re
import time
import traceback
from typing import Optional

import numpy as np

from brain_generator import GeneratedBrain, generate_brain
from oracle import Oracle, close, first_difference

MAX_STEPS = 30  # steps per schedule
STEP_MS_CHOICES = np.round(np.arange(1.0, 50.01, 0.5), 1)  # ms, step lengths drawn from
RESOLUTION_MS = 0.1  # ms, NEST resolution of the generated brains
PROBE_DRIVE_MS = 40.0  # ms of probe input before silencing (the target must fire in it)
PROBE_SETTLE_MS = 60.0  # ms for in-flight spikes and synaptic currents to die out
PROBE_QUIET_MS = 60.0  # ms in which the silenced target must not fire
MULTAPSE_WORDS = re.compile(r'multaps', re.IGNORECASE)


def brain_seed(seed: int) -> int:
    """The Brain's seed for generator seed ``seed`` (NEST refuses rng_seed 0)."""
    return seed + 1


class GeneratedBrainFailure(AssertionError):
    """A generated brain disagreed with the oracle; the message holds the reproduction."""


@dataclass
class Op:
    """One operation of a schedule.

    Attributes:
        kind: 'step', 'get', 'set', 'bad_set', 'reset', 'replay' or 'silence'.
        args: its arguments (projection name, step length, ...).
        lines: Python lines that replay it (filled in when it runs).
    """

    kind: str
    args: tuple = ()
    lines: list = field(default_factory=list)
    reference: bool = False  # one of the opening steps that replays are compared with


@dataclass
class RunResult:
    """What running one generated brain did."""

    seed: int
    threads: int
    ops: int
    steps: int
    seconds: float
    failure: Optional[str] = None
    what: str = ''  # first line of the failure
    counts: dict = field(default_factory=dict)  # operations done, by kind
    exact_replays: int = 0  # replays whose spikes were compared with the fresh brain's


def make_schedule(generated: GeneratedBrain) -> list:
    """Draw the operations for a brain (from its seed, independently of the file's draws)."""
    rng = np.random.default_rng([generated.seed, 7])
    names = list(generated.projections)
    settable = [n for n, p in generated.projections.items() if not p.probe]
    ops = []
    if rng.random() < 0.5:  # read everything before the first step
        ops += [Op('get', (name,)) for name in names]
    reference = [float(rng.choice(STEP_MS_CHOICES)) for _ in range(int(rng.integers(1, 6)))]
    ops += [Op('step', (ms,), reference=True) for ms in reference]
    steps = len(reference)
    probe_steps = 5  # PROBE_DRIVE_MS + PROBE_SETTLE_MS + PROBE_QUIET_MS in steps of <= 40 ms
    budget = int(rng.integers(len(reference), MAX_STEPS + 1))
    silence_at = int(rng.integers(0, 12))
    kinds = ['step', 'get', 'set', 'bad_set', 'reset', 'replay']
    odds = np.array([0.35, 0.2, 0.17, 0.12, 0.08, 0.08])
    for k in range(40):
        if k == silence_at and steps + probe_steps <= MAX_STEPS:
            ops.append(Op('silence'))
            steps += probe_steps
            continue
        kind = kinds[int(rng.choice(len(kinds), p=odds / odds.sum()))]
        if kind == 'step':
            if steps >= budget:
                continue
            ops.append(Op('step', (float(rng.choice(STEP_MS_CHOICES)),)))
            steps += 1
        elif kind == 'get':
            ops.append(Op('get', (names[int(rng.integers(len(names)))],)))
        elif kind == 'set' and settable:
            ops.append(Op('set', (settable[int(rng.integers(len(settable)))],
                                  int(rng.integers(1 << 30)))))
        elif kind == 'bad_set':
            bad = ['shape', 'length', 'nan', 'inf', 'extra', 'sign', 'unknown']
            ops.append(Op('bad_set', (names[int(rng.integers(len(names)))],
                                      bad[int(rng.integers(len(bad)))])))
        elif kind == 'reset':
            ops.append(Op('reset', (bool(rng.random() < 0.5),)))
        elif kind == 'replay' and steps + len(reference) <= MAX_STEPS:
            ops.append(Op('replay', (tuple(reference),)))
            steps += len(reference)
    ops += [Op('get', (name,)) for name in names]  # every projection read at least once
    return ops


def write_brain(seed: int, directory, threads: Optional[int] = None):
    """Generate the brain of ``seed`` and write it to ``directory``; return (brain, path)."""
    generated = generate_brain(seed, threads)
    path = Path(directory) / f'generated_brain_{seed}.py'
    path.write_text(generated.text)
    return generated, path


def run_brain(seed: int, directory, threads: Optional[int] = None,
              raise_on_failure: bool = True) -> RunResult:
    """Build the brain of ``seed`` in ``directory``, run its schedule, check every answer.

    Raises:
        GeneratedBrainFailure: on the first disagreement (when ``raise_on_failure``).
    """
    generated, path = write_brain(seed, directory, threads)
    schedule = make_schedule(generated)
    run = _Run(generated, path, schedule)
    start = time.perf_counter()
    failure = what = None
    try:
        run.execute()
    except Exception as error:  # any exception of the code under test is a finding
        what = _first_line(error)
        failure = run.report(error)
    result = RunResult(seed=seed, threads=generated.threads, ops=run.done, steps=run.steps,
                       seconds=time.perf_counter() - start, failure=failure, what=what or '',
                       counts=run.counts, exact_replays=run.exact_replays)
    if failure and raise_on_failure:
        raise GeneratedBrainFailure(failure)
    return result


def _first_line(error) -> str:
    text = str(error).strip().splitlines()
    first = text[0] if text else ''
    return first if isinstance(error, _Check) else f'{type(error).__name__}: {first}'


class _Check(AssertionError):
    """A check of the harness failed (as opposed to an exception from the code)."""


def _check(condition, message):
    if not condition:
        raise _Check(message)


class _Run:
    """State of one brain's run: the Brain, the oracle, what has been seen so far."""

    def __init__(self, generated: GeneratedBrain, path: Path, schedule: list):
        self.generated = generated
        self.path = path
        self.schedule = schedule
        self.done = 0  # operations completed
        self.steps = 0
        self.brain = None
        self.oracle = None
        self.current = None  # the operation running
        self.reference = []  # spikes of the opening steps of the fresh brain
        self.counts = {}
        self.exact_replays = 0

    # ------------------------------------------------------------------ driving

    def execute(self):
        from brain_node.brain import Brain
        g = self.generated
        self.current = Op('build')
        self.brain = Brain(self.path, step_ms=20.0, resolution_ms=RESOLUTION_MS,
                           threads=g.threads, seed=brain_seed(g.seed))
        self.oracle = Oracle(self.brain.namespace, g)
        self.initial = self.oracle.all()
        self.recorded = {p.name: p.size for p in self.brain.describe_populations() if p.recorded}
        self._check_build()
        self.done += 1
        for op in self.schedule:
            self.current = op
            getattr(self, '_' + op.kind)(*op.args)
            if op.reference:
                self.reference.append(self.last_spikes)
            self.done += 1
            self.counts[op.kind] = self.counts.get(op.kind, 0) + 1

    def report(self, error) -> str:
        """The failure message: what broke, the seed, the brain and a replay script."""
        g = self.generated
        if isinstance(error, _Check):
            what = str(error)
        else:
            what = (f'{type(error).__name__} from brain_node: {error}\n'
                    + ''.join(traceback.format_exception(error)[-6:]))
        executed = self.schedule[:max(self.done - 1, 0)]
        lines = ['import numpy as np',
                 'import sys',
                 "sys.path.insert(0, 'neurobot/test/generated')",
                 'from brain_node.brain import Brain',
                 'from brain_generator import generate_brain',
                 'from oracle import Oracle',
                 '']
        lines += self._build_lines()
        for op in executed:
            lines += op.lines
        failing = self.current
        if failing is not None and failing.kind != 'build':
            lines += [f'# failing operation: {failing.kind}{failing.args!r}'] + failing.lines
        return '\n'.join([
            f'generated brain seed {g.seed} (threads={g.threads}) failed at operation '
            f'{self.done} ({failing.kind if failing else "?"}{failing.args if failing else ""}):',
            what,
            '',
            g.summary(),
            '',
            f'rerun: .venv/bin/python bench/generated_brains.py --seed-start {g.seed} '
            f'--brains 1',
            f'--- brain file {self.path.name} ---',
            g.text.rstrip(),
            '--- reproduction (run from the repository root, brain file saved as above) ---',
            '\n'.join(lines),
        ])

    def _build_lines(self):
        g = self.generated
        return [f"brain = Brain({self.path.name!r}, step_ms=20.0, resolution_ms={RESOLUTION_MS}, "
                f"threads={g.threads}, seed={brain_seed(g.seed)})",
                f'oracle = Oracle(brain.namespace, generate_brain({g.seed}, threads={g.threads}))']

    # ------------------------------------------------------------------ build

    def _check_build(self):
        g, brain, oracle = self.generated, self.brain, self.oracle
        _check(set(brain.projection_names) == set(g.projections),
               f'projection names {brain.projection_names} != {list(g.projections)}')
        info = {p.name: p for p in brain.describe_projections()}
        for name, spec in g.projections.items():
            truth = self.initial[name]
            p = info[name]
            _check((p.rows, p.cols) == (truth.rows, truth.cols),
                   f'{name}: describe says {p.rows}x{p.cols}, PyNN sides are '
                   f'{truth.rows}x{truth.cols}')
            _check(p.connections == truth.count,
                   f'{name}: describe says {p.connections} connections, NEST has {truth.count}')
            units = 'uS' if spec.post.kind == 'cond' else 'nA'
            sign = -1 if spec.sign < 0 else 1
            _check((p.weight_units, p.weight_sign) == (units, sign),
                   f'{name}: describe says units {p.weight_units} sign {p.weight_sign}, '
                   f'expected {units} sign {sign}')
            _check(p.plastic == spec.plastic, f'{name}: describe says plastic={p.plastic}')
            _check(truth.count > 0 or spec.connector in (
                'FixedProbability', 'DistanceDependent'), f'{name}: no connections')
            if truth.multapses:
                _check(spec.may_have_multapses,
                       f'oracle: {name} has {truth.multapses} multapses its connector cannot make')
                continue
            dense = truth.dense()
            pynn = oracle.pynn_dense(name)
            _check(close(dense, pynn), f'oracle: {name} disagrees with PyNN Projection.get: '
                   + first_difference(dense, pynn, truth.cols))
            if spec.declared is not None:
                declared = np.full(truth.rows * truth.cols, np.nan)
                for i, j, w in spec.declared:
                    declared[i * truth.cols + j] = w
                _check(close(dense, declared), f'oracle: {name} differs from what the brain file '
                       'declares: ' + first_difference(dense, declared, truth.cols))
            signs = np.sign(dense[~np.isnan(dense)])
            _check(not (signs == -spec.sign).any(),
                   f'generator: {name} has weights of the wrong sign')

    # ------------------------------------------------------------------ operations

    def _step(self, ms):
        brain = self.brain
        self.current.lines.append(f'brain.set_step_ms({ms}); brain.step()')
        brain.set_step_ms(ms)
        start = brain.time_ms
        result = brain.step()
        end = brain.time_ms
        self.steps += 1
        recorded = self.recorded
        _check(set(result.spikes) == set(recorded),
               f'step: spikes of {sorted(result.spikes)}, recorded are {sorted(recorded)}')
        spikes = {}
        for name, s in result.spikes.items():
            neurons = np.asarray(s.neurons, dtype=np.int64)
            times = np.asarray(s.times_ms, dtype=np.float64)
            _check(np.array_equal(np.asarray(s.counts), np.bincount(neurons, minlength=recorded[
                name])), f'step: {name} counts do not match its neuron list')
            _check(len(times) == len(neurons), f'step: {name} has {len(times)} times for '
                   f'{len(neurons)} neurons')
            eps = 1e-6
            _check(((times > start - eps) & (times <= end + eps)).all(),
                   f'step: {name} spike times outside the step ({start}, {end}] ms')
            ticks = np.round((times - self.trial_start) / RESOLUTION_MS).astype(np.int64)
            spikes[name] = (neurons, ticks)
        self.last_spikes = spikes
        return spikes

    @property
    def trial_start(self):
        return getattr(self, '_trial_start', 0.0)

    def _get(self, name):
        truth = self.oracle.truth(name)
        if truth.multapses:
            self.current.lines += _refused(f'brain.get_weights({name!r})')
            self._expect_multapse_error(name, truth, lambda: self.brain.get_weights(name))
            return
        self.current.lines.append(f'rows, cols, weights = brain.get_weights({name!r})')
        rows, cols, weights = self.brain.get_weights(name)
        expected = truth.dense()
        _check((rows, cols) == (truth.rows, truth.cols),
               f'get_weights({name!r}): shape {rows}x{cols}, expected {truth.rows}x{truth.cols}')
        _check(close(weights, expected), f'get_weights({name!r}) differs from NEST: '
               + first_difference(weights, expected, truth.cols)
               + self._context(name))

    def _expect_multapse_error(self, name, truth, call):
        try:
            call()
        except ValueError as error:
            _check(MULTAPSE_WORDS.search(str(error)),
                   f'{name} has {truth.multapses} multapses; the ValueError does not say so: '
                   f'{error}')
        else:
            raise _Check(f'{name} has {truth.multapses} real multapses, but brain_node answered '
                         f'as if it had none (expected a ValueError about multapses)')

    def _set(self, name, value_seed):
        truth = self.oracle.truth(name)
        before = self.oracle.all()
        spec = self.generated.projections[name]
        if truth.multapses:
            self.current.lines += _refused(f'brain.set_weights({name!r}, {truth.rows}, '
                                           f'{truth.cols}, np.zeros({truth.rows * truth.cols}))')
            self._expect_multapse_error(name, truth, lambda: self.brain.set_weights(
                name, truth.rows, truth.cols, np.zeros(truth.rows * truth.cols)))
            self._expect_unchanged(before, f'set_weights({name!r}) refused')
            return
        if truth.count == 0:
            return
        rng = np.random.default_rng(value_seed)
        dense = truth.dense()
        connected = np.flatnonzero(~np.isnan(dense))
        chosen = rng.choice(connected, size=int(rng.integers(1, len(connected) + 1)),
                            replace=False)
        chosen.sort()
        scale = float(np.max(np.abs(dense[connected]))) or 1.0
        values = np.round(rng.uniform(0.0, 2.0 * scale, len(chosen)), 9) * spec.sign
        values[rng.random(len(chosen)) < 0.1] = 0.0
        dense[chosen] = values
        self.current.lines.append(
            f'weights = oracle.dense({name!r}); weights[{chosen.tolist()}] = {values.tolist()}; '
            f'brain.set_weights({name!r}, {truth.rows}, {truth.cols}, weights)')
        written = self.brain.set_weights(name, truth.rows, truth.cols, dense)
        after = self.oracle.all()
        changed = int(np.sum(before[name].nest != after[name].nest)) if \
            before[name].count == after[name].count else -1
        for other, t in after.items():
            if other == name:
                _check(close(t.dense(), dense), f'set_weights({name!r}): NEST does not hold the '
                       'weights asked for: ' + first_difference(t.dense(), dense, t.cols))
            else:
                _check(t.same_as(before[other]), f'set_weights({name!r}) changed '
                       f'{_changes(before[other], t)} synapses of projection {other!r}')
        _check(isinstance(written, (int, np.integer)) and changed <= written <= truth.count,
               f'set_weights({name!r}) says it wrote {written} synapses; {changed} changed, '
               f'the projection has {truth.count}')

    def _bad_set(self, name, kind):
        truth = self.oracle.truth(name)
        before = self.oracle.all()
        spec = self.generated.projections[name]
        rows, cols = truth.rows, truth.cols
        dense = truth.dense() if not truth.multapses else np.zeros(rows * cols)
        connected = np.flatnonzero(~np.isnan(dense))
        empty = np.flatnonzero(np.isnan(dense))
        target = name
        base = f'np.zeros({rows * cols})' if truth.multapses else f'oracle.dense({name!r})'
        if kind == 'shape':
            rows, cols = rows + 1, cols
            dense = np.zeros(rows * cols)
            code = f'w = np.zeros({rows * cols})'
        elif kind == 'length':
            dense = dense[:-1]
            code = f'w = {base}[:-1]'
        elif kind in ('nan', 'inf') and len(connected):
            value = 'np.nan' if kind == 'nan' else f'{spec.sign} * np.inf'
            dense[connected[0]] = np.nan if kind == 'nan' else spec.sign * np.inf
            code = f'w = {base}; w[{connected[0]}] = {value}'
        elif kind == 'extra' and len(empty):
            dense[empty[0]] = 0.0
            code = f'w = {base}; w[{empty[0]}] = 0.0'
        elif kind == 'sign' and len(connected):
            dense[connected[-1]] = -spec.sign * 0.5
            code = f'w = {base}; w[{connected[-1]}] = {-spec.sign * 0.5}'
        else:
            target = name + '_no_such_projection'
            code = f'w = {base}'
        self.current.lines += [code] + _refused(
            f'brain.set_weights({target!r}, {rows}, {cols}, w)')
        try:
            self.brain.set_weights(target, rows, cols, dense)
        except ValueError:
            pass
        else:
            raise _Check(f'set_weights({target!r}) with a bad request ({kind}) was accepted')
        self._expect_unchanged(before, f'a refused set_weights({target!r}) ({kind})')
        if target != name:
            self.current.lines += _refused(f'brain.get_weights({target!r})')
            try:
                self.brain.get_weights(target)
            except ValueError:
                pass
            else:
                raise _Check(f'get_weights({target!r}) of an unknown projection answered')

    def _expect_unchanged(self, before, what):
        after = self.oracle.all()
        for name, t in after.items():
            _check(t.same_as(before[name]), f'{what} changed {_changes(before[name], t)} '
                   f'synapses of projection {name!r}')

    def _reset(self, restore):
        self.current.lines.append(f'message = brain.reset(restore_weights={restore})')
        before = self.oracle.all()
        message = self.brain.reset(restore_weights=restore)
        self._trial_start = self.brain.time_ms
        after = self.oracle.all()
        for name, spec in self.generated.projections.items():
            if restore:
                _check(after[name].same_as(self.initial[name]),
                       f'reset(restore_weights=True): {name!r} is not back to its initial '
                       f'weights ({_changes(self.initial[name], after[name])} synapses differ)')
            elif not spec.plastic:
                _check(after[name].same_as(before[name]),
                       'reset(restore_weights=False) changed '
                       f'{_changes(before[name], after[name])} static synapses of {name!r}')
        self._check_message(message)
        return message

    def _check_message(self, message):
        _check(isinstance(message, str) and message, 'reset returned no message')
        missing = []
        inexact = sorted({p.nest_model for p in self.brain.describe_populations()
                          if not p.exact_reset})
        missing += [m for m in inexact if m not in message]
        missing += [n for n, p in self.generated.projections.items()
                    if p.plastic and n not in message]
        if not self.generated.deterministic and 'poisson' not in message.lower():
            missing.append('Poisson input')
        _check(not missing, f'the reset message does not say that {", ".join(missing)} '
               f'cannot be reset exactly: {message!r}')
        if self._exact_expected():
            _check('not exact' not in message.lower(),
                   f'the reset message of an exactly resettable brain says "not exact": '
                   f'{message!r}')

    def _exact_expected(self) -> bool:
        g = self.generated
        return (g.deterministic and not any(p.plastic for p in g.projections.values())
                and all(p.exact_reset for p in self.brain.describe_populations()))

    def _replay(self, reference_ms):
        self._reset(True)
        replayed = []
        for ms in reference_ms:
            replayed.append(self._step(ms))
        if not self._exact_expected():
            return
        fresh = self.reference
        _check(len(fresh) == len(replayed), 'harness: reference length')
        self.exact_replays += 1
        for name in fresh[0] if fresh else {}:
            a_n = np.concatenate([s[name][0] for s in fresh])
            a_t = np.concatenate([s[name][1] for s in fresh])
            b_n = np.concatenate([s[name][0] for s in replayed])
            b_t = np.concatenate([s[name][1] for s in replayed])
            fresh_set = sorted(zip(a_t.tolist(), a_n.tolist()))
            replay_set = sorted(zip(b_t.tolist(), b_n.tolist()))
            if fresh_set != replay_set:
                only_fresh = sorted(set(fresh_set) - set(replay_set))[:5]
                only_replay = sorted(set(replay_set) - set(fresh_set))[:5]
                raise _Check(f'after reset, {name} spikes differ from the fresh brain\'s '
                             f'({len(fresh_set)} vs {len(replay_set)} spikes; (tick, neuron) '
                             f'only fresh {only_fresh}, only after reset {only_replay})')
            for k, (s_fresh, s_replay) in enumerate(zip(fresh, replayed)):
                same = (np.array_equal(s_fresh[name][0], s_replay[name][0])
                        and np.array_equal(s_fresh[name][1], s_replay[name][1]))
                _check(same, f'after reset, {name} publishes the same spikes as the fresh '
                       f'brain but in another order in step {k}: fresh neurons '
                       f'{s_fresh[name][0][:12].tolist()}, after reset '
                       f'{s_replay[name][0][:12].tolist()}')

    def _silence(self):
        g = self.generated
        probe, target = g.probe
        drive = [self._step(PROBE_DRIVE_MS)]
        fired = sum(len(s[target][0]) for s in drive)
        _check(fired > 0, f'generator: the probe target {target} did not fire while driven')
        truth = self.oracle.truth(probe)
        zeros = np.where(np.isnan(truth.dense()), np.nan, 0.0)
        before = self.oracle.all()
        self.current.lines.append(
            f'weights = np.where(np.isnan(oracle.dense({probe!r})), np.nan, 0.0); '
            f'brain.set_weights({probe!r}, {truth.rows}, {truth.cols}, weights)')
        self.brain.set_weights(probe, truth.rows, truth.cols, zeros)
        after = self.oracle.all()
        for name, t in after.items():
            if name == probe:
                _check(close(t.dense(), zeros), f'silencing {probe!r}: NEST does not hold '
                       'zeros: ' + first_difference(t.dense(), zeros, t.cols))
            else:
                _check(t.same_as(before[name]), f'silencing {probe!r} changed '
                       f'{_changes(before[name], t)} synapses of projection {name!r}')
        for _ in range(2):
            self._step(PROBE_SETTLE_MS / 2)
        quiet = [self._step(PROBE_QUIET_MS / 2) for _ in range(2)]
        spikes = sum(len(s[target][0]) for s in quiet)
        _check(spikes == 0, f'behaviour: {target} fired {spikes} spikes in '
               f'{PROBE_QUIET_MS} ms after all weights of {probe!r}, its only input, were set '
               f'to 0')

    # ------------------------------------------------------------------ helpers

    def _context(self, name):
        spec = self.generated.projections[name]
        return (f' [{spec.connector}, {spec.synapse}, {spec.receptor}, {spec.pre.expr} -> '
                f'{spec.post.expr}]')


def _refused(call: str) -> list:
    """Lines of the reproduction script for a call that must raise ValueError."""
    return ['try:', f'    {call}', 'except ValueError as error:',
            "    print('refused as it should be:', error)", 'else:',
            f"    print({'NOT refused: ' + call!r})"]


def _changes(a, b) -> str:
    """How many synapses differ between two truths of one projection."""
    if a.count != b.count or not (np.array_equal(a.pre, b.pre)
                                  and np.array_equal(a.post, b.post)):
        return f'the synapse list ({a.count} -> {b.count} synapses) and'
    return str(int(np.sum(a.nest != b.nest)))
