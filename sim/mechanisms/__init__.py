"""One module per mechanism: its parameter group sits next to the rule that uses it.

Order of a month (see :meth:`sim.model.SSRModel.step`): donors -> oversight -> forces ->
corruption -> violence -> trust -> recruitment -> ddr -> armed_groups -> cso.
"""
