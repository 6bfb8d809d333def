"""Benchmark the weight recorder (issue 6): a 1e6-synapse projection recorded every 200 ms.

Prints three tables:

1. loop: brain_node on a 1000 x 1000 all-to-all static brain, stepped 200 ms per step
   over /clock from this process, a set_weights of the whole matrix (every value
   changed) every ``--set-every`` steps; runs with and without ``record_weights`` every
   200 ms alternate (``--repeats`` each). Loop wall time per step, overhead (target
   <= 10 %), bytes per full and per "unchanged" record, file size; the file read back
   must equal the last matrix written.
2. in-process: what a record costs the stepping thread (changed / unchanged static
   weights) and what the writer thread spends per full record, on the same brain.
3. plastic: the same projection with STDP synapses; each record reads 1e6 weights
   from NEST (no array getter in NEST 3.10), so the step it follows takes that long.

Usage: ``python bench/bench_weight_recorder.py [--steps 50] [--set-every 5]
[--repeats 2] [--only loop,inprocess,plastic]``
"""

import argparse
import os
import tempfile
import time

import numpy as np

from benchlib import BENCH_BRAINS, bench_domain, median, print_table, timed

STEP_MS = 200.0  # ms, brain step and recording period
MS = 1_000_000  # ns
BRAIN = BENCH_BRAINS / 'all_to_all.py'


def clock(t_ns):
    from rosgraph_msgs.msg import Clock
    msg = Clock()
    msg.clock.sec, msg.clock.nanosec = t_ns // 1_000_000_000, t_ns % 1_000_000_000
    return msg


def run_loop(n, steps, set_every, record_path, log_dir, plastic=False):
    """Start brain_node, step it ``steps`` times; return (seconds per step, node output)."""
    from neurobot_interfaces.msg import BrainStep
    from neurobot_interfaces.srv import DescribeBrain, GetWeights, SetWeights
    from ros_helpers import NodeProcess, RosClient
    os.environ.update(NEUROBOT_BENCH_N=str(n), NEUROBOT_BENCH_PLASTIC='1' if plastic else '0')
    params = ['-p', f'brain:={BRAIN}', '-p', 'use_sim_time:=true', '-p', f'step_ms:={STEP_MS}']
    if record_path:
        params += ['-p', 'record_weights:=[projection]', '-p',
                   f'record_weights_every_ms:={STEP_MS}', '-p',
                   f'record_weights_path:={record_path}']
    client = RosClient(bench_domain(4), 'bench_weight_recorder')
    node = NodeProcess('brain_node', *params, log_dir=log_dir,
                       name=f'brain_node_{os.getpid()}_{time.monotonic_ns()}')
    step_msgs = []
    try:
        client.call(DescribeBrain, 'describe_brain', DescribeBrain.Request(), timeout=900)
        client.node.create_subscription(BrainStep, 'brain/step', step_msgs.append, 1000)
        pub = client.node.create_publisher(type(clock(0)), '/clock', 100)
        got = client.call(GetWeights, 'get_weights', GetWeights.Request(projection='projection'),
                          timeout=900)  # warm-up: the connection list is read once
        base = np.asarray(got.weights)
        client.spin_for(1.0)
        pub.publish(clock(0))
        changes = 0
        start = time.perf_counter()
        for k in range(1, steps + 1):
            if set_every and k % set_every == 0:
                changes += 1
                factor = 1.0 + 0.01 * (changes % 50)  # every value differs from the last
                request = SetWeights.Request(projection='projection', rows=n, cols=n,
                                             weights=base * factor)
                response = client.call(SetWeights, 'set_weights', request, timeout=600)
                assert response.success and response.written == n * n, response.message
            pub.publish(clock(k * int(STEP_MS * MS)))
            while len(step_msgs) < k:
                client.executor.spin_once(timeout_sec=1.0)
        per_step = (time.perf_counter() - start) / steps
        last = np.asarray(client.call(GetWeights, 'get_weights', GetWeights.Request(
            projection='projection'), timeout=900).weights)
    finally:
        client.close()
        node.stop(timeout=120)
    output = node.output()
    if set_every and record_path:
        from brain_node.weight_recorder import WeightFile
        weight_file = WeightFile(record_path)
        recorded = weight_file.weights('projection', len(weight_file.times_ms('projection')) - 1)
        assert np.array_equal(recorded.ravel(), last), 'the last record differs from get_weights'
    return per_step, output


def bench_loop(n, steps, set_every, repeats, log_dir):
    from brain_node.weight_recorder import WeightFile
    without, with_ = [], []
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, 'weights.nbw')
        for _ in range(repeats):
            without.append(run_loop(n, steps, set_every, None, log_dir)[0])
            with_.append(run_loop(n, steps, set_every, path, log_dir)[0])
        weight_file = WeightFile(path, verify=True)
        records = len(weight_file.times_ms('projection'))
        full = weight_file.full_records('projection')
        size = os.path.getsize(path)
    overhead = (median(with_) / median(without) - 1.0) * 100.0
    full_bytes = 32 + n * n * 8
    rows = [
        ('loop wall time per step, no recording (median of runs)', median(without) * 1e3, 'ms',
         ''),
        ('loop wall time per step, recording every 200 ms', median(with_) * 1e3, 'ms', ''),
        ('overhead of recording', overhead, '%', '<= 10'),
        ('bytes per full record (weights changed)', full_bytes, 'B', ''),
        ('bytes per "unchanged" record', 32, 'B', ''),
        (f'file of one run: {records} records, {full} with data', size / 1e6, 'MB', ''),
        ('runs (without / with), each', f'{repeats} / {repeats}', f'{steps} steps', ''),
    ]
    print_table(f'loop: {n} x {n} static all-to-all ({n * n:,} synapses), {STEP_MS:g} ms steps '
                f'on /clock, set_weights of every weight each {set_every} steps',
                ('measure', 'value', 'unit', 'target'), rows)


def bench_inprocess(n, samples=10):
    """Time WeightRecorder.sample() in the stepping thread and the writer thread's work."""
    from brain_node.brain import Brain
    from brain_node.weight_recorder import WeightRecorder
    os.environ.update(NEUROBOT_BENCH_N=str(n), NEUROBOT_BENCH_PLASTIC='0')
    brain = Brain(BRAIN, step_ms=STEP_MS, seed=1)
    rows_, cols, base = brain.get_weights('projection')
    with tempfile.TemporaryDirectory() as tmp:
        recorder = WeightRecorder(brain, ['projection'], os.path.join(tmp, 'w.nbw'),
                                  every_ms=STEP_MS, step_ms=STEP_MS)
        changed, unchanged, writes = [], [], []
        for k in range(samples):
            brain.set_weights('projection', rows_, cols, base * (1.0 + 0.01 * (k + 1)))
            changed.append(timed(recorder.sample, k * 2 * int(STEP_MS * MS))[1])
            unchanged.append(timed(recorder.sample, (k * 2 + 1) * int(STEP_MS * MS))[1])
            writes.append(timed(recorder.flush)[1])
        _, close_s = timed(recorder.close)
    step_s = median([timed(brain.step)[1] for _ in range(5)])
    rows = [
        ('NEST step of 200 ms (this brain, no input)', step_s * 1e3, ''),
        ('record in the stepping thread, weights changed', median(changed) * 1e3, ''),
        ('record in the stepping thread, unchanged', median(unchanged) * 1e3, ''),
        ('writer thread: wait until both records are on disk', median(writes) * 1e3,
         'beside the next steps'),
        ('get_weights in-process (dense matrix), for comparison',
         timed(brain.get_weights, 'projection')[1] * 1e3, ''),
    ]
    print_table(f'in-process: cost of one record of {n * n:,} static weights, ms',
                ('operation', 'ms', 'note'), rows)


def bench_plastic(n, steps, log_dir):
    from brain_node.weight_recorder import WeightFile
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, 'plastic.nbw')
        without, _ = run_loop(n, steps, 0, None, log_dir, plastic=True)
        with_, _ = run_loop(n, steps, 0, path, log_dir, plastic=True)
        size = os.path.getsize(path)
        records = WeightFile(path).full_records('projection')  # the initial one + one per step
    rows.append(('loop wall time per step, no recording', without * 1e3, 'ms'))
    rows.append(('loop wall time per step, recording every 200 ms', with_ * 1e3, 'ms'))
    rows.append(('added per record (NEST read of every weight)',
                 (with_ - without) * steps / records * 1e3, 'ms'))
    rows.append((f'file size ({records} records)', size / 1e6, 'MB'))
    print_table(f'plastic: {n} x {n} STDP all-to-all, {steps} steps of {STEP_MS:g} ms, every '
                f'step recorded', ('measure', 'value', 'unit'), rows)
    print('plastic weights are read from NEST at every record (NEST 3.10 has no array getter): '
          'the step a record follows is bounded by that read, not by the recorder')


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--n', type=int, default=1000, help='all-to-all side')
    parser.add_argument('--steps', type=int, default=50, help='steps per loop run')
    parser.add_argument('--set-every', type=int, default=5, help='set_weights every k steps')
    parser.add_argument('--repeats', type=int, default=2, help='runs with and without')
    parser.add_argument('--plastic-steps', type=int, default=3)
    parser.add_argument('--only', default='loop,inprocess,plastic')
    parser.add_argument('--log-dir', default='/tmp/neurobot-bench')
    args = parser.parse_args()
    os.makedirs(args.log_dir, exist_ok=True)
    only = args.only.split(',')
    if 'loop' in only:
        bench_loop(args.n, args.steps, args.set_every, args.repeats, args.log_dir)
    if 'inprocess' in only:
        bench_inprocess(args.n)
    if 'plastic' in only:
        bench_plastic(args.n, args.plastic_steps, args.log_dir)


if __name__ == '__main__':
    main()
