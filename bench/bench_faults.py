"""The fault matrix: the reminder service against SMTP (aiosmtpd) and webhook (http.server)
servers that go down, refuse, hang or trickle, with what arrived, what the ledger says and
how long a pass took to give up. tests/reminders/test_faults.py asserts the same targets.

    .venv/bin/python bench/bench_faults.py [--deadline 1.0]

Columns: sent = distinct (message, recipient) pairs that arrived; duplicated = copies beyond
the first (same Message-ID / Idempotency-Key); lost = recorded delivered but never arrived;
missed = reminders recorded missed; refused = permanent refusals reported to the
coordinator; open = messages neither delivered nor reported at the end; give up = the
longest pass while the fault was on (s).
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "reminders"))

import faults  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deadline", type=float, default=faults.DEADLINE)
    args = parser.parse_args()
    faults.DEADLINE = args.deadline
    logging.disable(logging.CRITICAL)  # the service logs every failure; the table says it
    header = f"{'channel':8} {'fault':18} {'sent':>5} {'dup':>4} {'lost':>5} {'missed':>6} "
    header += f"{'refused':>7} {'open':>5} {'give up':>8}"
    print(f"passes: {len(faults.PASSES)}, with the fault: {len(faults.FAULTY)}; "
          f"send deadline {args.deadline} s")  # fmt: skip
    print(header)
    with tempfile.TemporaryDirectory() as tmp:
        for channel, cases in (("smtp", faults.smtp_cases()), ("webhook", faults.webhook_cases())):
            for name, setup in cases.items():
                f = faults.run_case(Path(tmp), f"{channel}-{name}".replace(" ", "_"), setup)
                print(
                    f"{channel:8} {name:18} {f.sent:5} {f.duplicated:4} {f.lost:5} {f.missed:6} "
                    f"{f.refused:7} {f.open:5} {f.give_up:8.2f}"
                )


if __name__ == "__main__":
    main()
