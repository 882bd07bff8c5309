"""Shared fixtures of the sweep tests: a tiny base scenario that runs in milliseconds."""

BASE = """
[scenario]
name = "tiny"
steps = 24
seed = 1
[parameters]
"community.count" = 60
[[events]]
step = 2
kind = "launch_ddr"
"""
