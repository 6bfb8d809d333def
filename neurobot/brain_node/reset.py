"""Exact reset of a NEST network that only runs forward: snapshot, silence, drain, restore.

NEST 3 has no ResetNetwork, and setting V_m alone leaves spikes in the synaptic ring
buffers and current in ``I_syn_*``, which cannot be set. :class:`NeuronReset` therefore:

1. at build time, snapshots every settable state variable (V_m, g_ex, ...) per NEST model
   and the parameters the drain changes;
2. on reset, *silences* neurons of models in :data:`RESET_RECIPES` (threshold raised out
   of reach) and makes their synaptic currents decay within a few time steps
   (``tau_syn`` set to 1/100 of the resolution);
3. lets NEST run a *drain* of ``2 * max_delay + max(t_ref) + 10`` resolution steps: every
   spike in flight is delivered, parrots relay their last inputs, refractory periods end
   and synaptic currents decay to exactly 0.0 (underflow);
4. restores the parameters and the snapshot.

Stimulation devices are shifted by the caller (their ``origin``), so a trial after a reset
replays exactly like a fresh one on the same deterministic input. Models without a recipe
get their state variables restored only, and the brain says so.
"""

from dataclasses import dataclass
import logging
import math

import numpy as np

from brain_node.nest_fast import set_node_status, settable

_log = logging.getLogger(__name__)

SILENT_THRESHOLD_MV = 1.0e12  # mV, V_th during the reset drain: no neuron can reach it
DRAIN_EXTRA_STEPS = 10  # resolution steps added to the drain for the decay to reach 0.0
FAST_DECAY_FRACTION = 0.01  # tau_syn during the drain, as a fraction of the resolution


@dataclass(frozen=True)
class ResetRecipe:
    """How to reset one NEST neuron model exactly.

    Attributes:
        silence: parameters set to SILENT_THRESHOLD_MV during the drain.
        fast_decay: synaptic time constants shortened during the drain.
    """

    silence: tuple = ()
    fast_decay: tuple = ()


# Models whose exact reset is implemented and tested (test/brain/test_brain.py,
# test/generated/).
RESET_RECIPES = {
    'iaf_psc_exp': ResetRecipe(silence=('V_th',), fast_decay=('tau_syn_ex', 'tau_syn_in')),
    'iaf_psc_alpha': ResetRecipe(silence=('V_th',), fast_decay=('tau_syn_ex', 'tau_syn_in')),
    'iaf_psc_delta': ResetRecipe(silence=('V_th',)),
    'iaf_cond_exp': ResetRecipe(silence=('V_th',)),
    'iaf_cond_alpha': ResetRecipe(silence=('V_th',)),
    'parrot_neuron': ResetRecipe(),
    'parrot_neuron_ps': ResetRecipe(),
}

# State variables restored from the snapshot taken when the brain was built.
STATE_VARIABLES = ('V_m', 'g_ex', 'g_in', 'dg_ex', 'dg_in', 'U_m', 'w', 'g_rr', 'g_sfa',
                   'Act_m', 'Act_n', 'Inact_h', 'Ca')


@dataclass
class NeuronGroup:
    """All neurons of one NEST model, with what reset restores.

    Attributes:
        model: NEST model name.
        nodes: NodeCollection of the neurons.
        recipe: the model's ResetRecipe, or None (inexact reset).
        state: state variable -> values at build time.
        params: parameter changed by the drain -> values at build time.
        t_ref: longest refractory period, ms.
    """

    model: str
    nodes: object
    recipe: ResetRecipe
    state: dict
    params: dict
    t_ref: float


class NeuronReset:
    """Snapshot of every neuron in the kernel, and the drain that returns them to it.

    Args:
        nest: the nest module (the network must be complete).
        neuron_ids: NEST ids of every neuron (element_type 'neuron').
    """

    def __init__(self, nest, neuron_ids: np.ndarray):
        self.groups = []
        self.inexact_models = []
        neuron_ids = np.asarray(neuron_ids, dtype=np.int64)
        models = (np.asarray(nest.NodeCollection(neuron_ids.tolist()).get('model')).reshape(-1)
                  if len(neuron_ids) else np.asarray([]))
        for model in sorted(set(models.tolist())):
            nodes = nest.NodeCollection(neuron_ids[models == model].tolist())
            status = nodes[0].get()
            state = {}
            for var in STATE_VARIABLES:
                if var in status and settable(nodes[0], var, status[var]):
                    state[var] = np.asarray(nodes.get(var), dtype=np.float64).reshape(-1)
            recipe = RESET_RECIPES.get(model)
            if recipe is None:
                self.inexact_models.append(model)
            changed = () if recipe is None else recipe.silence + recipe.fast_decay
            params = {key: np.asarray(nodes.get(key), dtype=np.float64).reshape(-1)
                      for key in changed}
            t_ref = float(np.max(nodes.get('t_ref'))) if 't_ref' in status else 0.0
            self.groups.append(NeuronGroup(model, nodes, recipe, state, params, t_ref))
        if self.inexact_models:
            _log.warning('reset_brain cannot restore models %s exactly (no reset recipe)',
                         ', '.join(self.inexact_models))

    def drain_ticks(self, max_delay_ms: float, resolution_ms: float) -> int:
        """Resolution steps the drain takes: every spike in flight delivered, all decayed."""
        t_ref = max((group.t_ref for group in self.groups), default=0.0)
        return (int(math.ceil((2 * max_delay_ms + t_ref) / resolution_ms - 1e-9))
                + DRAIN_EXTRA_STEPS)

    def silence(self, resolution_ms: float):
        """Raise thresholds out of reach and shorten synaptic time constants."""
        for group in self.groups:
            if group.recipe is None:
                continue
            changes = {key: SILENT_THRESHOLD_MV for key in group.recipe.silence}
            changes.update({key: resolution_ms * FAST_DECAY_FRACTION
                            for key in group.recipe.fast_decay})
            if changes:
                set_node_status(group.nodes, changes)

    def restore(self):
        """Put back the parameters and the state variables of the snapshot."""
        for group in self.groups:
            values = dict(group.params, **group.state)
            if values:
                set_node_status(group.nodes, values)
