"""neurobot: shared, mostly ROS-free core of the neurobot package set.

Sub-modules: ``paths`` (where installed data lives), ``dds`` (keeps DDS on this
machine), ``qos`` (named QoS profiles), ``world`` (embedded maze world core).
"""
