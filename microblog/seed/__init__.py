"""Sample data, in two kinds that share nothing but a password.

- :mod:`microblog.seed.demo`: the small demo set ``flask seed`` loads into an
  empty database (``make run`` does it the first time), through the services.
- :mod:`microblog.seed.bulk`: the bulk loader for benchmarks, ``flask seed
  --users … --posts …``, rows streamed with ``COPY``.

What the command line, the benchmarks and the tests use is importable from
here: ``from microblog.seed import bulk_seed``.
"""

from microblog.seed.bulk import SEEDED_PASSWORD, BulkResult, bulk_seed, copy_rows
from microblog.seed.demo import DEMO_PASSWORD, DEMO_USERNAME, load_demo

__all__ = ["DEMO_PASSWORD", "DEMO_USERNAME", "SEEDED_PASSWORD", "BulkResult", "bulk_seed",
           "copy_rows", "load_demo"]
