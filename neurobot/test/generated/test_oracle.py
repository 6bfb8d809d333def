"""The oracle itself: fresh reads stay right where a kept SynapseCollection goes wrong.

NEST re-sorts a synapse model's connection table by source once a connection is added
(at the next GetConnections or Simulate). A SynapseCollection taken before then reads
other synapses afterwards, while the oracle, which asks NEST anew each time, still
sees every projection as it was. If this test fails, the generated-brain suite cannot
be trusted to find handle bugs.
"""

import nest
import numpy as np
import pytest

from brain_node.brain import Brain
from harness import brain_seed, write_brain
from oracle import Oracle

pytestmark = pytest.mark.brain

SEED = 0  # its brain has several static projections sharing sources


def _triples(connections):
    status = connections.get(['source', 'target', 'weight'])
    return sorted(zip(*(np.atleast_1d(status[key]).tolist()
                        for key in ('source', 'target', 'weight'))))


def test_fresh_reads_survive_a_resort_that_kept_collections_do_not(tmp_path):
    generated, path = write_brain(SEED, tmp_path)
    brain = Brain(path, threads=generated.threads, seed=brain_seed(SEED))
    oracle = Oracle(brain.namespace, generated)
    before = oracle.all()
    kept = {}
    for name in generated.projections:
        proj = brain.namespace[name]
        kept[name] = nest.GetConnections(synapse_model=proj.nest_synapse_model,
                                         synapse_label=proj.nest_synapse_label)
    expected = {name: _triples(kept[name]) for name in kept}
    # one more synapse of the probe's model from one of its sources, under a label of its own
    probe = brain.namespace['probe_drive']
    nest.Connect(probe.pre.node_collection[0:1], probe.post.node_collection[0:1],
                 syn_spec={'synapse_model': probe.nest_synapse_model, 'synapse_label': 999999,
                           'weight': 123.0})
    after = oracle.all()
    assert all(after[name].same_as(before[name]) for name in generated.projections)
    moved = [name for name in kept if _triples(kept[name]) != expected[name]]
    assert len(moved) >= 2, 'NEST no longer re-sorts: the collections kept still read right'
