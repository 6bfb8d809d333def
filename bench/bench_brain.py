"""Benchmarks of brain_node (issue 2): weights over the services, reset, stepping overhead.

Prints three tables:

1. weights: get_weights then set_weights of an N x N all-to-all projection (default
   1000 x 1000 = 1e6 synapses) through the services from this process, against NEST's
   raw Python API in this process and the pong example's per-connection loop
   (``nest.GetConnections(pre[i], post[j]).set(...)``, timed on 100 x 100 and scaled);
   plastic (STDP) reads against NEST's fastest raw read.
2. reset: reset_brain on a 10,000-neuron recurrent brain (exactness checked) against
   rebuilding the brain and restoring its weights, in the same run.
3. stepping: 1,000 steps of 20 ms driven by /clock from this process, 1,000 recorded
   neurons, overhead beyond NEST's own compute.

Usage: ``python bench/bench_brain.py [--n 1000] [--only weights,reset,stepping]``
"""

import argparse
import os
import time

import numpy as np

from benchlib import (BENCH_BRAINS, bench_domain, median, p90, print_table, timed)

WEIGHT_CHANGES = (0.0, 0.01, 0.1, 1.0)  # fractions of synapses changed before set_weights
LOOP_SIDE = 100  # per-connection loop measured on LOOP_SIDE x LOOP_SIDE, then scaled


def start_brain_node(brain, log_dir, env=None, step_ms=20.0):
    from ros_helpers import NodeProcess
    os.environ.update(env or {})
    return NodeProcess('brain_node', '-p', f'brain:={brain}', '-p', 'use_sim_time:=true',
                       '-p', f'step_ms:={step_ms}', log_dir=log_dir,
                       name=f'brain_node_{os.getpid()}_{time.monotonic_ns()}')


def raw_nest_weights(n, plastic):
    """Time NEST's raw API on an n x n all-to-all projection built directly in NEST."""
    import nest
    nest.ResetKernel()
    nest.verbosity = nest.VerbosityLevel.ERROR
    pre = nest.Create('parrot_neuron', n)
    post = nest.Create('iaf_psc_exp', n)
    model = 'stdp_synapse' if plastic else 'static_synapse'
    nest.Connect(pre, post, 'all_to_all', {'synapse_model': model,
                                           'weight': nest.random.uniform(100.0, 1000.0)})
    conns = nest.GetConnections(pre, post)
    reads = {}
    _, reads['SynapseCollection.get("weight")'] = timed(conns.get, 'weight')
    _, reads['SynapseCollection.weight'] = timed(lambda: conns.weight)
    values = np.random.default_rng(0).uniform(100.0, 1000.0, len(conns))
    _, write = timed(conns.set, weight=values)
    return reads, write


def per_connection_loop(side):
    """The pong example's way: one GetConnections(...).set() per synapse, side x side."""
    import nest
    nest.ResetKernel()
    nest.verbosity = nest.VerbosityLevel.ERROR
    pre = nest.Create('parrot_neuron', side)
    post = nest.Create('iaf_psc_exp', side)
    nest.Connect(pre, post, 'all_to_all')
    values = np.random.default_rng(1).uniform(1.0, 10.0, (side, side))
    start = time.perf_counter()
    for i in range(side):
        for j in range(side):
            nest.GetConnections(pre[i], post[j]).set({'weight': values[i, j]})
    return time.perf_counter() - start


def bench_weights(n, log_dir):
    from neurobot_interfaces.srv import DescribeBrain, GetWeights, SetWeights
    from ros_helpers import RosClient
    rows = []
    domain = bench_domain(1)
    client = RosClient(domain, 'bench_weights')
    env = {'NEUROBOT_BENCH_N': str(n), 'NEUROBOT_BENCH_PLASTIC': '0'}
    node = start_brain_node(BENCH_BRAINS / 'all_to_all.py', log_dir, env)
    try:
        _, startup = timed(client.call, DescribeBrain, 'describe_brain', DescribeBrain.Request(),
                           timeout=600)
        request = GetWeights.Request(projection='projection')
        got, first = timed(client.call, GetWeights, 'get_weights', request, timeout=600)
        assert got.success, got.message
        weights = np.asarray(got.weights)
        rows.append(('brain_node start-up (build, until services answer)', startup, ''))
        rows.append(('first get_weights (reads the connection list once)', first, ''))
        gets = [timed(client.call, GetWeights, 'get_weights', request, timeout=600)[1]
                for _ in range(3)]
        rows.append(('get_weights, static (median of 3)', median(gets), ''))
        rng = np.random.default_rng(2)
        for fraction in WEIGHT_CHANGES:
            changed = weights.copy()
            k = int(round(fraction * weights.size))
            idx = rng.choice(weights.size, k, replace=False)
            changed[idx] = rng.uniform(0.1, 1.0, k)
            set_request = SetWeights.Request(projection='projection', rows=n, cols=n,
                                             weights=changed)
            response, seconds = timed(client.call, SetWeights, 'set_weights', set_request,
                                      timeout=600)
            assert response.success, response.message
            get_s = timed(client.call, GetWeights, 'get_weights', request, timeout=600)[1]
            rows.append((f'get+set pair, {fraction:.0%} of weights changed '
                         f'({response.written} written)', get_s + seconds,
                         '<= 1 s' if fraction <= 0.1 else ''))
            weights = changed
            if fraction == 1.0:
                full_write = seconds
    finally:
        node.stop()
    raw_reads, raw_write = raw_nest_weights(n, plastic=False)
    for name, seconds in raw_reads.items():
        rows.append((f'raw NEST read, {name}', seconds, ''))
    rows.append(('raw NEST write, SynapseCollection.set(weight=array)', raw_write, ''))
    loop = per_connection_loop(LOOP_SIDE)
    scaled = loop * (n * n) / (LOOP_SIDE * LOOP_SIDE)
    rows.append((f'per-connection loop (pong example), {LOOP_SIDE}x{LOOP_SIDE} measured',
                 loop, ''))
    rows.append((f'per-connection loop scaled to {n}x{n}', scaled, ''))
    rows.append(('ratio loop / set_weights with 100% changed', scaled / full_write, '>= 1000'))

    # plastic: every get_weights reads NEST
    env['NEUROBOT_BENCH_PLASTIC'] = '1'
    node = start_brain_node(BENCH_BRAINS / 'all_to_all.py', log_dir, env)
    try:
        client.call(DescribeBrain, 'describe_brain', DescribeBrain.Request(), timeout=900)
        gets = [timed(client.call, GetWeights, 'get_weights', request, timeout=600)[1]
                for _ in range(3)]
    finally:
        node.stop()
        client.close()
    raw_reads, _ = raw_nest_weights(n, plastic=True)
    fastest = min(raw_reads.values())
    rows.append(('get_weights, plastic STDP (median of 3)', median(gets), ''))
    rows.append(('raw NEST read, plastic, fastest API', fastest, ''))
    rows.append(('ratio get_weights plastic / fastest raw read', median(gets) / fastest,
                 '<= 1.2'))
    print_table(f'weights: {n} x {n} all-to-all ({n * n:,} synapses), seconds',
                ('operation', 'value', 'target'), rows)


def trial_spikes(brain, steps=5):
    start = brain.time_ms
    pairs = []
    for _ in range(steps):
        for name, spikes in brain.step().spikes.items():
            pairs += [(name, round(t - start, 9), int(i))
                      for t, i in zip(spikes.times_ms, spikes.neurons)]
    return sorted(pairs)


def bench_reset(n):
    from brain_node.brain import Brain
    os.environ['NEUROBOT_BENCH_N'] = str(n)
    brain_file = BENCH_BRAINS / 'recurrent_10k.py'
    brain, build_s = timed(Brain, brain_file, step_ms=20.0, seed=1)
    saved = {}
    for name in brain.projection_names:  # weights to restore after a rebuild, NEST units
        saved[name] = np.asarray(brain.synapse_collection(name).get('weight'),
                                 dtype=np.float64)
    synapses = sum(len(w) for w in saved.values())
    fresh = trial_spikes(brain)
    brain.step()
    resets = []
    exact = True
    for _ in range(3):
        brain.step()
        _, seconds = timed(brain.reset)
        resets.append(seconds)
        exact &= trial_spikes(brain) == fresh
    rebuilds = []
    for _ in range(2):
        start = time.perf_counter()
        rebuilt = Brain(brain_file, step_ms=20.0, seed=1)
        for name, weights in saved.items():
            rebuilt.synapse_collection(name).set(weight=weights)
        rebuilds.append(time.perf_counter() - start)
    rows = [
        (f'build the brain ({n:,} neurons, {synapses:,} synapses)', build_s, ''),
        ('reset_brain (median of 3)', median(resets), ''),
        ('rebuild + restore weights (median of 2)', median(rebuilds), ''),
        ('ratio rebuild / reset', median(rebuilds) / median(resets), '>= 10'),
        ('trial after reset == fresh trial (spikes)', 'yes' if exact else 'NO',
         f'{len(fresh):,} spikes'),
    ]
    print_table(f'reset: {n:,}-neuron recurrent brain, seconds', ('operation', 'value', 'note'),
                rows)


def bench_stepping(steps, log_dir):
    """Drive the brain's /clock from this process and time each step's round trip.

    The driving side is kept light, as a real consumer would be: an EventsExecutor (far
    less overhead per callback than the wait-set executors), and the spikes taken as raw
    CDR bytes, deserialised after the timed loop (they are still transported and received
    every step; only this process's Python decoding is kept off the clock).
    """
    import rclpy
    from rclpy.context import Context
    from rclpy.experimental import EventsExecutor
    from rclpy.serialization import deserialize_message
    from rosgraph_msgs.msg import Clock
    from neurobot_interfaces.msg import BrainStep, PopulationSpikes
    from neurobot_interfaces.srv import DescribeBrain
    from ros_helpers import RosClient
    domain = bench_domain(2)
    client = RosClient(domain, 'bench_stepping_setup')
    node = start_brain_node(BENCH_BRAINS / 'stepping_1k.py', log_dir)
    step_msgs, raw_spikes = [], []
    context = Context()
    rclpy.init(context=context, domain_id=domain)
    driver = rclpy.create_node('bench_stepping', context=context)
    executor = EventsExecutor(context=context)
    executor.add_node(driver)
    try:
        client.call(DescribeBrain, 'describe_brain', DescribeBrain.Request(), timeout=300)
        driver.create_subscription(BrainStep, 'brain/step', step_msgs.append, 1000)
        driver.create_subscription(PopulationSpikes, 'brain/neurons/spikes', raw_spikes.append,
                                   1000, raw=True)
        pub = driver.create_publisher(Clock, '/clock', 100)
        end = time.monotonic() + 1.0
        while time.monotonic() < end:
            executor.spin_once(timeout_sec=0.05)
        msg = Clock()
        pub.publish(msg)
        round_trips = []
        for k in range(1, steps + 1):
            t_ns = k * 20_000_000
            msg.clock.sec, msg.clock.nanosec = t_ns // 1_000_000_000, t_ns % 1_000_000_000
            start = time.perf_counter()
            pub.publish(msg)
            while len(step_msgs) < k:
                executor.spin_once(timeout_sec=1.0)
            round_trips.append((time.perf_counter() - start) * 1e3)
        end = time.monotonic() + 5.0
        while len(raw_spikes) < steps and time.monotonic() < end:
            executor.spin_once(timeout_sec=0.05)
    finally:
        node.stop()
        executor.shutdown()
        driver.destroy_node()
        rclpy.try_shutdown(context=context)
        client.close()
    spike_msgs = [deserialize_message(raw, PopulationSpikes) for raw in raw_spikes]
    nest_ms = [m.nest_ms for m in step_msgs]
    in_node = [m.total_ms - m.nest_ms for m in step_msgs]
    end_to_end = [rt - m.nest_ms for rt, m in zip(round_trips, step_msgs)]
    spikes = sum(len(m.spike_neurons) for m in spike_msgs)
    rows = [
        ('NEST simulate (compute)', median(nest_ms), p90(nest_ms), ''),
        ('brain_node overhead inside the step (inputs, read, publish)', median(in_node),
         p90(in_node), ''),
        ('overhead beyond NEST, /clock publish -> step message received', median(end_to_end),
         p90(end_to_end), '<= 1 ms'),
    ]
    print_table(f'stepping: {steps} steps of 20 ms on /clock, 1,000 recorded neurons, '
                f'{spikes / steps:.0f} spikes per step, ms', ('per step', 'median', 'p90',
                                                              'target'), rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--n', type=int, default=1000, help='all-to-all side (weights)')
    parser.add_argument('--reset-n', type=int, default=10000, help='neurons (reset)')
    parser.add_argument('--steps', type=int, default=1000, help='steps (stepping)')
    parser.add_argument('--only', default='weights,reset,stepping')
    parser.add_argument('--log-dir', default='/tmp/neurobot-bench')
    args = parser.parse_args()
    os.makedirs(args.log_dir, exist_ok=True)
    only = args.only.split(',')
    if 'stepping' in only:
        bench_stepping(args.steps, args.log_dir)
    if 'reset' in only:
        bench_reset(args.reset_n)
    if 'weights' in only:
        bench_weights(args.n, args.log_dir)


if __name__ == '__main__':
    main()
