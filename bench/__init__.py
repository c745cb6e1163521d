"""Benchmarks (``make bench`` = ``python -m bench``): each module with a ``main()`` is one benchmark.

Benchmarks measure; they never assert timings (tests do not either). Each writes its table to
``bench/results/<module>.md`` as well as to stdout. Modules whose name starts with ``_`` are helpers.
"""
