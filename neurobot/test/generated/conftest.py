"""Fixtures of the generated-brain tests: a quiet NEST with passive OpenMP threads.

Brains with threads=2 run NEST's OpenMP threads; on a shared 2-core machine their
default busy-waiting at barriers makes a 20 ms step cost 100 ms or more, so the waiting
threads are told to sleep (set before NEST is first imported in this process).
"""

import os

os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')
os.environ.setdefault('PYNEST_QUIET', '1')
