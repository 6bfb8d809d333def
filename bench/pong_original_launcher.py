"""Run NEST's installed pong example (``run_simulations.py``) unchanged, seeded from outside.

NEST's pong runner has no seed option: NEST's kernel seed is left at its default (so every
run starts from the same weights and noise) and numpy's global generator (ball start,
ties between equally active motor neurons) is unseeded. To compare seeds with neurobot,
this launcher sets ``nest.rng_seed`` and ``numpy.random.seed`` and then executes the
installed file, byte for byte, as ``__main__`` with ``runpy`` (its own folder first on
``sys.path``, as when it is started directly). Nothing in the example's files is edited.

``--compat-vt`` is the *compatibility run* of ``bench/pong_compare.py``: NEST 3.10 renamed
the dopamine synapse's ``vt`` parameter to ``volume_transmitter``, so the example's
``PongNetDopa`` fails with ``KeyError: 'vt'``. With the flag this launcher wraps
``nest.SetDefaults``, ``nest.CopyModel`` and ``nest.Connect`` so a ``vt`` key is passed on
as ``volume_transmitter``; the example's code is still not edited. Runs made so are
labelled "compat" everywhere in the benchmark.

``--no-buffer-shrink`` removes a slowdown that is NEST's, not the example's: it sets the
kernel attribute ``spike_buffer_shrink_limit`` to 0 ("buffers never shrink"), as brain_node
does for every brain (``neurobot/brain_node/pynn_setup.py``). With NEST 3.10's default
(0.2) the kernel appends an entry to ``spike_buffer_resize_log`` in every quiet 1-ms slice
(200,000 after 1,000 iterations) and converts the whole log on every kernel-status read.
PyNEST's ``SynapseCollection.get``/``set`` read kernel status (``network_size``) on every
call, and the example calls them once per connection, about 440 times per network and
iteration, so each iteration is slower than the one before (measured without the flag:
0.25 s per iteration at iteration 25, 1.6 s at 100, 2.7 s at 150, almost all in those
reads). Buffer sizes affect only how spikes are communicated between threads and ranks,
never which spikes arrive when: the runs are identical with and without the flag
(``bench/pong_compare.py`` keeps both and compares them).

Usage::

    python bench/pong_original_launcher.py --seed 1 [--compat-vt] [--no-buffer-shrink] -- \
        /path/to/run_simulations.py --runs 1000 --players r rn --out_dir out
"""

import argparse
import os
import runpy
import sys

# NEST's rng_seed must lie in [1, 2**31 - 1].
MAX_NEST_SEED = 2**31 - 1
# The parameter's name before and since NEST 3.10.
OLD_VT_KEY = "vt"
NEW_VT_KEY = "volume_transmitter"
# NEST's "buffers never shrink" value of spike_buffer_shrink_limit (see --no-buffer-shrink).
NO_SHRINK = 0.0


def translate_vt(params):
    """Return ``params`` with the pre-3.10 ``vt`` key renamed to ``volume_transmitter``.

    Args:
        params: A NEST parameter dictionary, or anything else (returned unchanged).

    Returns:
        A new dictionary with the key renamed if ``params`` is a dict holding ``vt``,
        otherwise ``params`` itself.
    """
    if isinstance(params, dict) and OLD_VT_KEY in params:
        params = dict(params)
        params[NEW_VT_KEY] = params.pop(OLD_VT_KEY)
    return params


def install_vt_shim(nest):
    """Wrap ``nest.SetDefaults``, ``nest.CopyModel`` and ``nest.Connect`` to translate ``vt``.

    Args:
        nest: The imported ``nest`` module, patched in place.
    """
    set_defaults, copy_model, connect = nest.SetDefaults, nest.CopyModel, nest.Connect

    def shim_set_defaults(model, params, val=None):
        return set_defaults(model, translate_vt(params), val)

    def shim_copy_model(existing, new, params=None):
        return copy_model(existing, new, translate_vt(params))

    def shim_connect(pre, post, conn_spec=None, syn_spec=None, *args, **kwargs):
        return connect(pre, post, conn_spec, translate_vt(syn_spec), *args, **kwargs)

    # The nest module refuses attribute assignment once imported ("frozen"); its own
    # docstring names __dict__ manipulation as the way to replace a name on it.
    nest.__dict__.update(SetDefaults=shim_set_defaults, CopyModel=shim_copy_model,
                         Connect=shim_connect)


def main(argv=None):
    """Seed NEST and numpy, optionally install the ``vt`` shim, run the script as main."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, required=True,
                        help=f"seed for nest.rng_seed and numpy.random (1..{MAX_NEST_SEED})")
    parser.add_argument("--compat-vt", action="store_true",
                        help="translate the pre-NEST-3.10 'vt' synapse parameter")
    parser.add_argument("--no-buffer-shrink", action="store_true",
                        help="set NEST's spike_buffer_shrink_limit to 0, as brain_node does "
                             "(same results; no kernel-status slowdown)")
    parser.add_argument("script", help="path of the unchanged run_simulations.py")
    parser.add_argument("script_args", nargs=argparse.REMAINDER,
                        help="arguments passed to the script")
    args = parser.parse_args(argv)
    if not 1 <= args.seed <= MAX_NEST_SEED:
        raise ValueError(f"--seed must be in 1..{MAX_NEST_SEED}, got {args.seed}")
    script = os.path.abspath(args.script)
    if not os.path.isfile(script):
        raise ValueError(f"script {script!r} does not exist")

    import nest
    import numpy as np

    nest.rng_seed = args.seed
    np.random.seed(args.seed)
    if args.compat_vt:
        install_vt_shim(nest)
    if args.no_buffer_shrink:
        nest.spike_buffer_shrink_limit = NO_SHRINK
    script_args = [a for a in args.script_args if a != "--"]
    sys.argv = [script, *script_args]
    # As `python script.py` does: the script's folder first, so `import pong` finds the
    # example's own pong.py and networks.py.
    sys.path.insert(0, os.path.dirname(script))
    runpy.run_path(script, run_name="__main__")


if __name__ == "__main__":
    main()
