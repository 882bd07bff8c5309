"""Policy answers under uncertainty.

Levers with costs and places (:mod:`.levers`), the comparison of many policies over an
ensemble (``ssr compare``, :mod:`.compare`), its robustness measures (:mod:`.analysis`)
and scenario discovery (``ssr discover``, :mod:`.discover`). Nothing is imported here:
``sim.scenario`` reads :mod:`.levers` alone.
"""
