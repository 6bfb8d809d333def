"""Generated brains: every get, set and reset of brain_node against a fresh NEST read.

Each case generates the brain of one seed (brain_generator.py), builds it with
``Brain`` and runs a random schedule of steps, gets, sets, refused sets, resets and
replays, checking each answer against the oracle (oracle.py); harness.py says what is
checked. CI runs seeds 0-199 (about two minutes on a shared 2-core machine); the
nightly-size run is ``bench/generated_brains.py --brains 2000 --seed-start 1000``.

A failing case prints the seed, the brain file and a script replaying the schedule up to
the failure. Seeds that once failed are kept in test_regression_seeds.py.
"""

from pathlib import Path

import pytest

from brain_generator import generate_brain
from harness import GeneratedBrainFailure, make_schedule, run_brain

pytestmark = pytest.mark.brain

CI_SEEDS = range(200)
REPO = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize('seed', CI_SEEDS)
def test_generated_brain(seed, tmp_path):
    run_brain(seed, tmp_path)


def test_generator_is_reproducible_and_covers_what_the_issue_lists():
    """Same seed, same file; across the CI seeds every listed feature occurs."""
    assert generate_brain(17).text == generate_brain(17).text
    assert generate_brain(17, threads=2).text == generate_brain(17, threads=1).text
    assert generate_brain(17).text != generate_brain(18).text
    seen = set()
    for seed in CI_SEEDS:
        brain = generate_brain(seed)
        seen.add(f'threads {brain.threads}')
        seen.update(f'cell {p.cell}' for p in brain.populations.values())
        seen.update('grid' for p in brain.populations.values() if p.grid)
        for p in brain.projections.values():
            seen.update({f'connector {p.connector}', f'synapse {p.synapse}',
                         f'weights {p.weight_form}', f'receptor {p.receptor}/{p.post.kind}',
                         f'pre {p.pre.form}', f'post {p.post.form}'})
            if p.may_have_multapses:
                seen.add('multapses possible')
            if p.pre.cells == p.post.cells:
                seen.add('recurrent')
        names = list(brain.projections.values())
        for a in names:
            for b in names:
                if a is not b and set(a.pre.cells) & set(b.pre.cells) and (
                        (a.synapse == 'static') == (b.synapse == 'static')):
                    seen.add('shared presynaptic neurons and synapse model')
        if 'FromListConnector([(' in brain.text:
            seen.add('unsorted FromList')
    expected = ({f'threads {n}' for n in (1, 2)}
                | {f'cell {c}' for c in ('IF_curr_exp', 'IF_curr_alpha', 'IF_cond_exp',
                                         'IF_cond_alpha', 'Izhikevich', 'EIF_cond_exp_isfa_ista',
                                         'EIF_cond_alpha_isfa_ista', 'SpikeSourceArray',
                                         'SpikeSourcePoisson')}
                | {f'connector {c}' for c in ('AllToAll', 'OneToOne', 'FixedProbability',
                                              'FixedNumberPre', 'FixedNumberPost', 'FromList',
                                              'DistanceDependent')}
                | {f'synapse {s}' for s in ('static', 'stdp_additive', 'stdp_multiplicative',
                                            'dopamine')}
                | {f'weights {w}' for w in ('scalar', 'random', 'array', 'distance', 'list')}
                | {f'receptor {r}/{k}' for r in ('excitatory', 'inhibitory')
                   for k in ('curr', 'cond', 'izh')}
                | {f'{side} {form}' for side in ('pre', 'post')
                   for form in ('population', 'view', 'assembly')}
                | {'grid', 'multapses possible', 'recurrent', 'unsorted FromList',
                   'shared presynaptic neurons and synapse model'})
    assert expected - seen == set()


def test_schedules_stay_within_the_step_budget():
    for seed in CI_SEEDS:
        brain = generate_brain(seed)
        ops = make_schedule(brain)
        steps = sum(1 for op in ops if op.kind == 'step')
        steps += sum(len(op.args[0]) for op in ops if op.kind == 'replay')
        steps += 5 * sum(1 for op in ops if op.kind == 'silence')
        assert 1 <= steps <= 30, seed
        assert all(1.0 <= op.args[0] <= 50.0 for op in ops if op.kind == 'step')


def _nudge_another_projection(brain, name):
    """Double one nonzero NEST weight of a projection other than ``name``."""
    import nest
    for other in brain.projection_names:
        if other == name:
            continue
        proj = brain.namespace[other]
        connections = nest.GetConnections(synapse_model=proj.nest_synapse_model,
                                          synapse_label=proj.nest_synapse_label)
        for k in range(len(connections)):
            weight = connections[k].get('weight')
            if weight != 0.0:
                connections[k].set(weight=2.0 * weight)
                return


@pytest.mark.parametrize('mutant, seed, symptom', [
    # seed 4 sets weights early, seed 5 silences its probe early
    ('set_weights writes one synapse of another projection', 4, 'synapses of projection'),
    ('get_weights is off by one part in a billion', 4, 'differs from NEST'),
    ('a silenced population gets a stray current', 5, 'behaviour: probe_target fired'),
])
def test_a_wrong_answer_is_caught_and_reported(mutant, seed, symptom, tmp_path, monkeypatch):
    """The suite can fail: a Brain that is slightly wrong fails with a full reproduction."""
    from brain_node.brain import Brain
    set_original, get_original = Brain.set_weights, Brain.get_weights

    def set_weights_leaking(self, name, rows, cols, weights):
        written = set_original(self, name, rows, cols, weights)
        _nudge_another_projection(self, name)
        return written

    def set_weights_with_stray_current(self, name, rows, cols, weights):
        written = set_original(self, name, rows, cols, weights)
        if name == 'probe_drive':  # right weights, yet the target keeps being driven
            self.namespace['probe_target'].node_collection.set(I_e=2.0e4)  # pA, beats adaptation
        return written

    def get_weights_off(self, name):
        rows, cols, weights = get_original(self, name)
        return rows, cols, weights * (1.0 + 1e-9)

    replacement = {'set_weights writes': ('set_weights', set_weights_leaking),
                   'get_weights is off': ('get_weights', get_weights_off),
                   'a silenced populat': ('set_weights', set_weights_with_stray_current)}
    monkeypatch.setattr(Brain, *replacement[mutant[:18]])
    with pytest.raises(GeneratedBrainFailure) as failure:
        run_brain(seed, tmp_path)
    report = str(failure.value)
    assert symptom in report
    assert f'generated brain seed {seed}' in report
    assert generate_brain(seed).text.strip() in report  # the brain file, verbatim
    # and a script that replays the schedule up to the failure: it runs (the mutant
    # still in place) from the repository root with the brain file saved beside it
    script = report.split('--- reproduction', 1)[1].split('\n', 1)[1]
    brain_file = f"'generated_brain_{seed}.py'"
    assert f'brain = Brain({brain_file}' in script
    script = script.replace(brain_file, repr(str(tmp_path / f'generated_brain_{seed}.py')))
    monkeypatch.chdir(REPO)
    exec(compile(script, 'reproduction', 'exec'), {})
