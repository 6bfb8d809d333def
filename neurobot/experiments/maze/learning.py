"""Reward-modulated STDP with eligibility traces carried across decisions (ROS-free).

The rule follows the R-STDP of Wunderlich et al. 2019 (NEST's pong example: STDP
pairings of one trial, multiplied by the trial's reward) and the actor of Frémaux,
Sprekeler & Gerstner 2013 (a reward signal gating Hebbian eligibility traces), with
the traces kept across the decisions of an episode so that a terminal reward also
reaches earlier decisions (as in TD(lambda) actors).

For decision ``k`` of an episode, with presynaptic spike times ``t_i`` of input ``i``
and postsynaptic spike times ``t_j`` of action neuron ``j`` inside the decision window:

    p_ij(k) = A_plus  * sum_{t_i < t_j}  exp(-(t_j - t_i) / tau_plus)
            - A_minus * sum_{t_j < t_i}  exp(-(t_i - t_j) / tau_minus)

the STDP pairing term of the window (all pairs; pre-before-post potentiates). Only
the neurons of the chosen action group keep their term (``winner_only``): the reward
judges the action that was taken. With ``normalized`` the term is divided by the mean
number of spikes per neuron of the chosen group, n(k):

    e_ij(k) = p_ij(k) / n(k)

because the pairing of a synapse grows with the winner's spike count (about one unit per
postsynaptic spike at a 100 Hz input), and the winner fires more the stronger its weights
are (from ~150 to ~400 spikes per window in one training run): without it the step size
grows as an action is learned; with it ``learning_rate`` is the weight change (nA) per
unit signal at a typical active synapse, whatever the firing. (On the offline bench the
two learn about equally well at matched rates; normalising fixes the rate's meaning.)
The term is then centred over the action neurons (``centered``: ``e_ij - mean_j e_ij``),
so the chosen action gains (3/4 of the term with four groups) and the others lose (1/4
each), the actor's 'postsynaptic activity minus its expectation' of Frémaux et al. 2013
with a uniform expectation; an input's total weight stays put, so a punished action
hands its drive to the alternatives instead of all weights sinking together (which left
the decision to the noise). The eligibility trace decays by ``trace_decay`` per
decision and accumulates the terms:

    E(k) = trace_decay * E(k - 1) + e(k)

The signal that gates the trace is the reward-prediction error of a critic, as in
the actor-critic of Frémaux et al. 2013 (whose critic is a spiking TD learner; here it
is a linear value function over the place-cell rates ``x``, learned by TD(lambda)):

    delta(k) = r(k) + gamma * V(s(k + 1)) - V(s(k)),   V(s) = v . x(s),  V(end) = 0
    z(k) = gamma * critic_trace_decay * z(k - 1) + x(s(k))
    v += critic_rate * delta(k) * z(k)

with ``r(k)`` = ``step_reward`` after an ordinary move, ``goal_reward`` at the goal.
Each ``delta(k)`` is applied to the eligibility as it stands:

    dW += learning_rate * delta(k) * E(k)

A positive delta (the move led somewhere better than expected) strengthens the
pairings of the chosen action at the places that led there. Without the critic
(``critic_rate = 0``, V = 0) delta is the raw reward. A wall is the fault of the last
action alone (the moves before it were not into a wall); its reward gates only the
latest term (``reward(..., last_only=True)``):

    dW += learning_rate * wall_reward * e(k)

Through the trace it would also weaken the moves that led to the cell, so every good
move into a cell with walls would be punished (measured on bench/maze_offline.py, seeds
1-5, 100 episodes: with the wall reward on the trace at most one goal per seed; with no
trace at all 5-24 goals; on the latest term alone, trace kept for delta, 21-39 goals).

At the end of the episode the weights become ``clip(W + dW, w_min, w_max)``,
written to the brain with set_weights. ``E`` and ``dW`` then return to zero.

Units: weights in nA (PyNN, current-based excitatory synapses), times in ms.
"""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class RSTDPParameters:
    """Parameters of the rule (see the module docstring for the equations).

    Attributes:
        learning_rate: eta, nA of weight change per unit signal per unit eligibility.
        a_plus, a_minus: STDP amplitudes (dimensionless).
        tau_plus_ms, tau_minus_ms: STDP time constants, ms.
        trace_decay: lambda, eligibility kept from one decision to the next (0-1).
        goal_reward, wall_reward, step_reward: rewards (dimensionless).
        w_min_na, w_max_na: weight bounds, nA.
        winner_only: keep only the chosen group's pairings.
        normalized: divide a window's pairings by the chosen group's spikes per neuron.
        centered: subtract, for every input, the mean pairing over all action neurons, so
            that a positive signal strengthens the chosen action *relative* to the others
            and a negative one weakens it relative to them (the actor's 'post activity
            minus its expectation' of Frémaux et al. 2013); total weight per input is kept.
        gamma: discount of the critic's value per move.
        critic_rate: learning rate of the critic (0: no critic, delta = reward).
        critic_trace_decay: lambda of the critic's TD(lambda) trace.

    The defaults are those that learn the default maze in 100 episodes on the offline
    bench (bench/maze_offline.py, seeds 1-20: greedy steps / shortest path 1.20x on
    average; the usual miss is start (2, 1) keeping the 11-move route it found first).
    """

    learning_rate: float = 0.15  # nA per unit delta, normalised eligibility
    a_plus: float = 1.0
    a_minus: float = 0.5
    tau_plus_ms: float = 20.0
    tau_minus_ms: float = 20.0
    trace_decay: float = 0.85  # a goal reaches the first moves of a 5-move route with
    # 0.85^4 = 0.52 of its weight (0.24 at 0.7): one success down a rarely taken route counts
    # more; offline seeds 1-20: mean 1.20x (worst 1.39x) against 1.24x (worst 1.87x) at 0.7
    goal_reward: float = 1.0
    wall_reward: float = -1.0
    step_reward: float = 0.0  # a step cost with gamma < 1 reinforces two-cell loops,
    # with gamma = 1 it learned worse (measured); gamma < 1 alone prefers short paths
    w_min_na: float = 0.0
    w_max_na: float = 0.6
    winner_only: bool = True
    centered: bool = True
    gamma: float = 0.9
    critic_rate: float = 0.05
    critic_trace_decay: float = 0.7
    normalized: bool = True

    def __post_init__(self):
        if not 0.0 <= self.trace_decay <= 1.0:
            raise ValueError(f'trace_decay must lie in [0, 1], got {self.trace_decay}')
        if self.tau_plus_ms <= 0 or self.tau_minus_ms <= 0:
            raise ValueError('tau_plus_ms and tau_minus_ms must be > 0 ms')
        if not self.w_min_na <= self.w_max_na:
            raise ValueError(f'w_min_na ({self.w_min_na}) must be <= w_max_na ({self.w_max_na})')
        if self.learning_rate < 0:
            raise ValueError(f'learning_rate must be >= 0, got {self.learning_rate}')


def stdp_pairings(pre_neurons, pre_times_ms, post_neurons, post_times_ms, n_pre, n_post,
                  a_plus=1.0, a_minus=1.0, tau_plus_ms=20.0, tau_minus_ms=20.0) -> np.ndarray:
    """All-pairs STDP term of one window, as an (n_pre, n_post) matrix.

    Args:
        pre_neurons: presynaptic spikes' neuron indices.
        pre_times_ms: presynaptic spike times, ms.
        post_neurons: postsynaptic spikes' neuron indices.
        post_times_ms: postsynaptic spike times, ms.
        n_pre: presynaptic population size.
        n_post: postsynaptic population size.
        a_plus: amplitude of potentiation (pre before post).
        a_minus: amplitude of depression (post before pre).
        tau_plus_ms: potentiation time constant, ms.
        tau_minus_ms: depression time constant, ms.

    Returns:
        e[i, j] = A+ sum_{pre before post} exp(-dt/tau+) - A- sum_{post before pre} exp(-dt/tau-).
        Simultaneous spikes (dt = 0) count as neither.
    """
    pre_neurons = np.asarray(pre_neurons, dtype=np.int64)
    post_neurons = np.asarray(post_neurons, dtype=np.int64)
    pre_times = np.asarray(pre_times_ms, dtype=np.float64)
    post_times = np.asarray(post_times_ms, dtype=np.float64)
    if pre_neurons.shape != pre_times.shape or post_neurons.shape != post_times.shape:
        raise ValueError('neuron and time arrays must have the same length')
    result = np.zeros((n_pre, n_post))
    if not len(pre_neurons) or not len(post_neurons):
        return result
    if pre_neurons.min() < 0 or pre_neurons.max() >= n_pre:
        raise ValueError(f'presynaptic neuron index outside 0..{n_pre - 1}')
    if post_neurons.min() < 0 or post_neurons.max() >= n_post:
        raise ValueError(f'postsynaptic neuron index outside 0..{n_post - 1}')
    dt = post_times[None, :] - pre_times[:, None]  # > 0: pre before post
    weight = np.where(dt > 0, a_plus * np.exp(-np.abs(dt) / tau_plus_ms), 0.0)
    weight -= np.where(dt < 0, a_minus * np.exp(-np.abs(dt) / tau_minus_ms), 0.0)
    np.add.at(result, (pre_neurons[:, None].repeat(len(post_neurons), 1),
                       post_neurons[None, :].repeat(len(pre_neurons), 0)), weight)
    return result


class RewardModulatedSTDP:
    """Eligibility traces and reward-gated weight changes over one episode.

    Args:
        n_pre, n_post: sizes of the input and action populations.
        group_of_post: action group of every postsynaptic neuron (length n_post).
        parameters: RSTDPParameters.
    """

    def __init__(self, n_pre: int, n_post: int, group_of_post, parameters=RSTDPParameters()):
        self.n_pre, self.n_post = int(n_pre), int(n_post)
        self.group_of_post = np.asarray(group_of_post, dtype=np.int64)
        if self.group_of_post.shape != (self.n_post,):
            raise ValueError(f'group_of_post must have {self.n_post} entries')
        self.p = parameters
        self.trace = np.zeros((self.n_pre, self.n_post))
        self.pending = np.zeros((self.n_pre, self.n_post))  # dW of this episode so far
        self.last = np.zeros((self.n_pre, self.n_post))  # pairings of the latest decision
        self.decisions = 0

    def decision(self, pre_neurons, pre_times_ms, post_neurons, post_times_ms, chosen_group):
        """Add one decision window's pairings to the eligibility trace."""
        p = self.p
        pairing = stdp_pairings(pre_neurons, pre_times_ms, post_neurons, post_times_ms,
                                self.n_pre, self.n_post, p.a_plus, p.a_minus,
                                p.tau_plus_ms, p.tau_minus_ms)
        if p.winner_only:
            pairing[:, self.group_of_post != chosen_group] = 0.0
        if p.normalized:
            # spikes per neuron of the chosen group (see the module docstring)
            in_group = self.group_of_post == chosen_group
            post = np.asarray(post_neurons, dtype=np.int64)
            per_neuron = in_group[post].sum() / max(1, int(in_group.sum()))
            if per_neuron > 0:
                pairing /= per_neuron
        if p.centered:
            pairing -= pairing.mean(axis=1, keepdims=True)
        self.trace = p.trace_decay * self.trace + pairing
        self.last = pairing
        self.decisions += 1

    def reward(self, value: float, last_only: bool = False):
        """Apply a reward to the trace as it stands (accumulated until end_episode).

        Args:
            value: the reward or prediction error.
            last_only: gate only the latest decision's pairings, not the whole trace.
        """
        if not np.isfinite(value):
            raise ValueError(f'reward must be finite, got {value}')
        eligibility = self.last if last_only else self.trace
        self.pending += self.p.learning_rate * float(value) * eligibility

    def end_episode(self, weights_na: np.ndarray) -> np.ndarray:
        """Return the new weights (clipped); clear the trace for the next episode.

        Args:
            weights_na: current (n_pre, n_post) weights, nA; NaN where unconnected stays NaN.
        """
        weights = np.asarray(weights_na, dtype=np.float64)
        if weights.shape != (self.n_pre, self.n_post):
            raise ValueError(f'weights must be {self.n_pre}x{self.n_post}, got {weights.shape}')
        updated = np.clip(weights + self.pending, self.p.w_min_na, self.p.w_max_na)
        updated[np.isnan(weights)] = np.nan
        self.trace[:] = 0.0
        self.pending[:] = 0.0
        self.last[:] = 0.0
        self.decisions = 0
        return updated


class TDCritic:
    """Linear value function over place-cell activity, learned by TD(lambda).

    Args:
        n_inputs: number of place cells.
        parameters: RSTDPParameters (gamma, critic_rate, critic_trace_decay).
    """

    def __init__(self, n_inputs: int, parameters=RSTDPParameters()):
        self.p = parameters
        self.values = np.zeros(int(n_inputs))
        self.trace = np.zeros(int(n_inputs))

    def value(self, features) -> float:
        return float(self.values @ np.asarray(features, dtype=np.float64))

    def td_error(self, features, reward, next_features=None) -> float:
        """Compute delta = reward + gamma V(next) - V(current), learn from it, return it.

        Args:
            features: place activity of the state the move started from.
            reward: reward of the move.
            next_features: place activity where it ended, None for an episode end.
        """
        x = np.asarray(features, dtype=np.float64)
        following = 0.0 if next_features is None else self.value(next_features)
        delta = float(reward) + self.p.gamma * following - self.value(x)
        self.trace = self.p.gamma * self.p.critic_trace_decay * self.trace + x
        self.values += self.p.critic_rate * delta * self.trace
        if next_features is None:
            self.trace[:] = 0.0
        return delta
