"""2,000 generated hostile schedules through the loader: no traceback, none slow, no silent drop.

The variants and the check are in fuzz_schedules.py; bench/bench_fuzz.py runs more of them
and prints timings. Run in-process with a time check per case, so the suite stays quick
(about 10 s).
"""

from __future__ import annotations

import collections
from pathlib import Path

from fuzz_schedules import LIMIT, MUTATIONS, check

CASES = 2000


def test_generated_schedules_fail_cleanly_or_load_whole(tmp_path: Path) -> None:
    outcomes = [check(n, tmp_path) for n in range(CASES)]
    findings = [f"case {o.n} ({o.mutations}): {o.finding}" for o in outcomes if o.finding]
    assert findings == []
    assert max(o.seconds for o in outcomes) <= LIMIT
    # The mix is what the issue asks for: every kind of mutation, and some files that load.
    used = collections.Counter(m for o in outcomes for m in o.mutations.split("+"))
    assert set(used) == {m.__name__ for m in MUTATIONS}
    assert min(used.values()) >= 100
    assert sum(o.accepted for o in outcomes) >= 20
