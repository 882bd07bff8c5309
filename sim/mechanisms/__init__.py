"""One module per mechanism: its parameter group sits next to the rule that uses it.

Each rule is a function ``step_x(world, params, rng)`` that reads and writes only the
declared fields of :class:`sim.world.World`. The order of a month is
:data:`sim.model.MONTH`: population (the month's flows of people open at zero) -> donors -> institutions -> oversight -> forces -> corruption ->
violence -> trust -> recruitment -> ddr -> armed_groups -> cso.
"""
