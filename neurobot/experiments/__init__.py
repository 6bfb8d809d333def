"""Experiments: one folder per experiment; the platform imports none of them.

Each experiment is split by role (task or world core, brain files, encoding and
learning, runners).

The platform (brain_node, tf_nodes, the neurobot core) imports no experiment; an
experiment imports the platform.
"""
