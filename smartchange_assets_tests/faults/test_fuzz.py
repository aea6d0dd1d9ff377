"""Fuzzed payloads: mutations of the real seed files of every source. Each one is either staged
with its rows reconciled, or rejected with a message naming the source and the file (and,
where it applies, the row and column). Anything else (an exception the parser did not turn
into a ParseError, a hang) is unexplained and fails the case.

The quick run (default suite) tries a few mutations of the smallest seed file of each source;
``SMARTCHANGE_FAULTS=full`` (make faults) at least 200 per source over all its seed files.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import signal
import traceback

import pytest

from smartchange_assets.definitions import SOURCES
from smartchange_assets.platform.blobs import BlobStore
from smartchange_assets.platform.landing import Payload
from smartchange_assets.platform.staging import parse_payloads

from . import ledger
from .conftest import FULL
from .mutations import MUTATIONS

PER_SOURCE = 200 if FULL else 10
CASE_SECONDS = 120
SEEDED = [s for s in SOURCES if s.seed_entries()]


class _Hang(Exception):
    pass


def _alarm(signum, frame):
    raise _Hang()


def _columns_left_empty(spec):
    def transform(frame, wh):
        missing = [c for c in spec.staging.column_names if c not in frame.columns]
        return frame.assign(**{c: None for c in missing})

    return transform


def _cases(spec, n: int):
    entries = sorted(spec.seed_entries(), key=lambda e: e.stored_path.stat().st_size)
    if not FULL:
        entries = entries[:1]
    rng = random.Random(f"{spec.source_id}:{n}")
    names = list(MUTATIONS)
    for i in range(n):
        entry = entries[i % len(entries)]
        yield entry, names[i % len(names)], rng


@pytest.mark.faults
@pytest.mark.parametrize("spec", SEEDED, ids=lambda s: s.source_id)
def test_mutated_payloads_are_staged_or_rejected_by_name(spec, tmp_path):
    # the parser and the typing by the table spec; a source's transform (area codes from the
    # warehouse) is tested with its source, here its columns stay empty
    if spec.transform is not None:
        spec = dataclasses.replace(spec, transform=_columns_left_empty(spec))
    store = BlobStore(f"memory://fuzz-{spec.name}")
    originals: dict[str, bytes] = {}
    problems = []
    for i, (entry, mutation, rng) in enumerate(_cases(spec, PER_SOURCE)):
        original = originals.setdefault(entry.file, entry.read())
        mutated = MUTATIONS[mutation](original, rng)
        name = f"fuzz-{i:03d}-{mutation}-{entry.file}"
        stored = store.put_bytes(mutated)
        payload = Payload(spec.source_id, stored.sha256, name, f"test://{name}",
                          dt.datetime(2024, 1, 1, tzinfo=dt.UTC), entry.period_start,
                          entry.period_end, store)
        case = f"fuzz:{mutation}"
        previous = signal.signal(signal.SIGALRM, _alarm)
        signal.alarm(CASE_SECONDS)
        try:
            (parsed,) = list(parse_payloads(spec, [payload]))
        except _Hang:
            problems.append(f"{name}: no answer within {CASE_SECONDS} s")
            ledger.record(case, False, unexplained=problems[-1])
            continue
        except Exception as exc:  # exactly what this case looks for
            where = traceback.extract_tb(exc.__traceback__)[-1]
            problems.append(f"{name}: {type(exc).__name__}: {str(exc)[:200]} "
                            f"({where.filename.rsplit('/', 1)[-1]}:{where.lineno})")
            ledger.record(case, False, unexplained=problems[-1])
            continue
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)
        recon = parsed.reconciliation
        if recon["error"]:
            named = recon["error"].startswith(f"{spec.source_id}: {name}")
            if not named:
                problems.append(f"{name}: rejected without naming source and file: "
                                f"{recon['error'][:200]}")
            ledger.record(case, named, unexplained=None if named else problems[-1])
            continue
        total = recon["staged"] + recon["no_data"] + recon["quarantined"]
        lost = recon["source_rows"] - total
        if lost:
            problems.append(f"{name}: {lost} row(s) unaccounted for")
        ledger.record(case, not lost, lost_rows=max(lost, 0))
    assert not problems, "\n".join(problems[:30])
