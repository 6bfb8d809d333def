"""Weights reach exactly the synapses named, however NEST re-sorts its connection tables.

Regression tests for issue 10: with projections sharing presynaptic neurons and synapse
model, handles taken while the brain was built addressed other synapses after the first
Simulate (weights of another projection, writes into the wrong synapses, a false
"multapses" error, an IndexError). Ground truth is read fresh from NEST on every check.
"""

import numpy as np
import pytest

from brain_node.brain import Brain

pytestmark = pytest.mark.brain


def nest_truth(brain, name):
    """Dense PyNN-unit weights of projection ``name`` read fresh from NEST."""
    import nest
    proj = brain.pynn_projection(name)
    conns = nest.GetConnections(synapse_model=proj.nest_synapse_model,
                                synapse_label=proj.nest_synapse_label)
    status = conns.get(['source', 'target', 'weight'])
    pre = [int(i) for i in proj.pre.all_cells]
    post = [int(i) for i in proj.post.all_cells]
    rows = np.searchsorted(np.asarray(pre), np.asarray(status['source'], dtype=np.int64))
    cols = np.searchsorted(np.asarray(post), np.asarray(status['target'], dtype=np.int64))
    assert pre == sorted(pre) and post == sorted(post)
    dense = np.full(len(pre) * len(post), np.nan)
    scale = 1000.0 * (-1.0 if proj.receptor_type == 'inhibitory'
                      and proj.post.conductance_based else 1.0)
    dense[rows * len(post) + cols] = np.asarray(status['weight'], dtype=np.float64) / scale
    return dense


def all_truths(brain):
    return {name: nest_truth(brain, name) for name in brain.projection_names
            if name != 'multapses'}


@pytest.fixture
def build(brains_dir, monkeypatch):
    def make(threads=1, multapses=False, plastic=True):
        monkeypatch.setenv('NEUROBOT_TEST_MULTAPSES', '1' if multapses else '0')
        monkeypatch.setenv('NEUROBOT_TEST_PLASTIC', '1' if plastic else '0')
        return Brain(brains_dir / 'shared_pre_brain.py', step_ms=5.0, seed=3, threads=threads)
    return make


@pytest.mark.parametrize('threads', [1, 2])
def test_gets_equal_nest_after_many_steps(build, threads):
    brain = build(threads=threads)
    for step in range(50):
        brain.step()
        if step in (0, 1, 10, 49):
            for name, truth in all_truths(brain).items():
                _, _, weights = brain.get_weights(name)
                np.testing.assert_array_equal(weights, truth, err_msg=f'{name} at step {step}')


@pytest.mark.parametrize('threads', [1, 2])
def test_set_changes_exactly_the_named_synapses(build, threads):
    brain = build(threads=threads)
    rng = np.random.default_rng(threads)
    for round_ in range(4):
        brain.step()
        for name in ('recurrent', 'forward', 'inhibition'):
            before = all_truths(brain)
            rows, cols, weights = brain.get_weights(name)
            connected = np.flatnonzero(~np.isnan(weights))
            chosen = rng.choice(connected, size=max(1, len(connected) // 3), replace=False)
            sign = -1.0 if name == 'inhibition' else 1.0
            weights[chosen] = sign * rng.uniform(0.001, 0.9, len(chosen)).round(6)
            assert brain.set_weights(name, rows, cols, weights) == len(chosen)
            after = all_truths(brain)
            # requested values, up to the rounding of PyNN's unit conversion (x1000)
            np.testing.assert_allclose(after[name], weights, rtol=1e-12, atol=0,
                                       err_msg=f'{name}, round {round_}')
            np.testing.assert_array_equal(brain.get_weights(name)[2], after[name])
            for other in after:
                if other not in (name, 'plastic'):
                    np.testing.assert_array_equal(after[other], before[other],
                                                  err_msg=f'{other} changed by a set of {name}')


def test_plastic_weights_and_reset_state_reach_the_right_synapses(build):
    brain = build()
    for _ in range(30):
        brain.step()
    _, _, weights = brain.get_weights('plastic')
    np.testing.assert_array_equal(weights, nest_truth(brain, 'plastic'))
    assert np.nanstd(weights) > 0  # STDP moved them apart
    brain.reset(restore_weights=True)
    np.testing.assert_array_equal(nest_truth(brain, 'plastic'), np.full(50, 0.3))
    np.testing.assert_array_equal(brain.get_weights('recurrent')[2],
                                  nest_truth(brain, 'recurrent'))


def test_connections_made_after_build_are_noticed(build):
    import nest
    brain = build()
    brain.step()
    first = brain.connection_weights('recurrent')[0].copy()
    pre = brain.pynn_projection('recurrent').pre
    extra = nest.Create('iaf_psc_exp', 3)
    nest.Connect(pre.node_collection, extra)  # a script adds connections after the build
    brain.step()
    for name, truth in all_truths(brain).items():
        np.testing.assert_array_equal(brain.get_weights(name)[2], truth, err_msg=name)
    assert brain._registry.retakes == 1
    # the order of connection_weights (a weight recorder relies on it) did not change
    np.testing.assert_array_equal(brain.connection_weights('recurrent')[0], first)


def test_multapses_get_a_clear_refusal_with_counts(build):
    brain = build(multapses=True)
    brain.step()
    with pytest.raises(ValueError, match=r'3 synapses between 2 pairs.*multapses'):
        brain.get_weights('multapses')
    with pytest.raises(ValueError, match='multapses'):
        brain.set_weights('multapses', 10, 10, np.full(100, np.nan))
    positions, weights = brain.connection_weights('multapses')
    assert sorted(weights.round(9).tolist()) == [0.1, 0.2, 0.3]
    # the other projections are not affected by the multapse one
    for name, truth in all_truths(brain).items():
        np.testing.assert_array_equal(brain.get_weights(name)[2], truth, err_msg=name)


def test_published_spike_order_after_reset_equals_a_fresh_brain(build):
    """Not only the (time, neuron) set: the order within each step is the same too."""
    def trial(brain):
        out = []
        for _ in range(20):
            for name, spikes in brain.step().spikes.items():
                # canonical order: by time, then neuron
                keys = list(zip(spikes.times_ms.tolist(), spikes.neurons.tolist()))
                assert keys == sorted(keys), f'{name}: spikes not in (time, neuron) order'
                out.append((name, spikes.neurons.tolist(),
                            np.round(spikes.times_ms - start[0], 9).tolist()))
        return out
    brain = build(threads=2, plastic=False)
    start = [brain.time_ms]
    fresh = trial(brain)
    assert sum(len(n) for _, n, _ in fresh) > 20
    brain.step()
    assert 'NOT exact' not in brain.reset()
    start = [brain.time_ms]
    assert trial(brain) == fresh
