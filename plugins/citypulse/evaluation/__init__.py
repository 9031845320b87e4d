"""The monthly evaluation (传播力指数 methodology v1): config, frozen runs, restatements.

``run.evaluate`` is the entry point (CLI ``citypulse evaluate`` and the monthly DAG call it).
"""
