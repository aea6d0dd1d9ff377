"""What ``smartchange refresh`` runs: every asset over all of its partitions, in as few runs as
Dagster allows.

A Dagster run carries one partitions definition, so the refresh is a short sequence of runs:
each takes every asset whose upstreams are done (earlier runs or the same run) and whose
partitions are the run's – or none – and covers *all* partitions in one run (a single-run
range, as ``BackfillPolicy.single_run()`` does for a backfill). Today that is two runs:
``refresh_all`` over every month with everything unpartitioned, then ``refresh_all_yearly``
over every year.

A blocking check that fails stops its downstream assets within a run (Dagster) and across the
runs (here): whatever lies downstream of an asset that did not materialise or whose blocking
check failed is left out of the later runs.
"""

from __future__ import annotations

from dataclasses import dataclass

import dagster as dg

from smartchange_assets.jobs import REFRESH_JOBS, cadence_of
from smartchange_assets.platform.partitions import Partitioning, all_keys, range_tags


@dataclass(frozen=True)
class RefreshStep:
    job_name: str
    cadence: str | None
    keys: tuple[dg.AssetKey, ...]

    def tags(self) -> dict[str, str]:
        if self.cadence is None:
            return {}
        every = all_keys(Partitioning(self.cadence))
        return range_tags(every[0], every[-1])

    def job(self, defs: dg.Definitions) -> dg.JobDefinition:
        """The refresh job cut to this step's assets and their checks (the job's own checks:
        freshness checks, which judge the schedule rather than the data, stay out)."""
        job = defs.resolve_job_def(self.job_name)
        keys = set(self.keys)
        # the checks of every refresh job: an unpartitioned asset after yearly ones (the build
        # diff) runs in the yearly job, while its checks are selected by the monthly one
        checks = {k for name in set(REFRESH_JOBS.values())
                  for k in defs.resolve_job_def(name).asset_layer.asset_graph.asset_check_keys
                  if k.asset_key in keys}
        return job.get_subset(asset_selection=keys, asset_check_selection=checks)

    def without(self, blocked: set[dg.AssetKey]) -> RefreshStep:
        return RefreshStep(self.job_name, self.cadence,
                           tuple(k for k in self.keys if k not in blocked))


def plan_refresh(defs: dg.Definitions) -> list[RefreshStep]:
    graph = defs.resolve_asset_graph()
    keys = set(graph.materializable_asset_keys)
    cadence = {key: cadence_of(_assets_def(defs, key)) for key in keys}
    parents = {key: {p for p in graph.get(key).parent_keys if p in keys} for key in keys}
    done: set[dg.AssetKey] = set()
    steps = []
    while len(done) < len(keys):
        options = {c for c in cadence.values() if c is not None} or {None}
        best: tuple[str | None, set] = (None, set())
        for option in sorted(options):
            taken = _takes(keys - done, done, parents, cadence, option)
            if len(taken) > len(best[1]):
                best = (option, taken)
        option, taken = best
        if not taken:
            raise RuntimeError("refresh plan: assets with unmet upstreams: "
                               + ", ".join(k.to_user_string() for k in sorted(keys - done)))
        if all(cadence[k] is None for k in taken):
            option = None  # nothing partitioned left: an unpartitioned run
        steps.append(RefreshStep(REFRESH_JOBS[option], option, tuple(sorted(taken))))
        done |= taken
        for key in taken:
            cadence.pop(key)
    return steps


def _takes(todo: set, done: set, parents: dict, cadence: dict, option: str | None) -> set:
    """The assets one run of partitions ``option`` can take: its own and unpartitioned ones
    whose upstreams are done or in the same run."""
    taken: set = set()
    grew = True
    while grew:
        grew = False
        for key in todo - taken:
            if cadence[key] in (option, None) and parents[key] <= done | taken:
                taken.add(key)
                grew = True
    return taken


def _assets_def(defs: dg.Definitions, key: dg.AssetKey) -> dg.AssetsDefinition:
    return defs.resolve_assets_def(key)


def downstream_of(defs: dg.Definitions, roots: set[dg.AssetKey]) -> set[dg.AssetKey]:
    """Every asset downstream of ``roots`` (the roots included)."""
    graph = defs.resolve_asset_graph()
    found, todo = set(roots), list(roots)
    while todo:
        for child in graph.get(todo.pop()).child_keys:
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def stopped_assets(result: dg.ExecuteInProcessResult, step: RefreshStep) -> set[dg.AssetKey]:
    """Assets of a finished run that must stop the line: not materialised, or with a failed
    blocking check of severity ERROR."""
    materialised = {e.asset_key for e in result.get_asset_materialization_events()}
    stopped = {k for k in step.keys if k not in materialised}
    for evaluation in result.get_asset_check_evaluations():
        if (not evaluation.passed and evaluation.blocking
                and evaluation.severity == dg.AssetCheckSeverity.ERROR):
            stopped.add(evaluation.asset_key)
    return stopped


STEP_TAG = "smartchange/refresh_step"  # finds a multiprocess step's run (its id is Dagster's)


def step_job(job_name: str, keys: list[str], executor: str = "in_process") -> dg.JobDefinition:
    """A refresh step's job, rebuilt from the job's name and the step's asset keys in every
    process that runs a part of it (the multiprocess executor starts one per Dagster step)."""
    from smartchange_assets.definitions import defs

    step = RefreshStep(job_name, None, tuple(dg.AssetKey.from_user_string(k) for k in keys))
    job = step.job(defs)
    return job.with_executor_def(dg.multiprocess_executor) if executor == "multiprocess" else job


def reconstructable_step(step: RefreshStep, executor: str = "multiprocess"):
    """``step`` as a job Dagster can rebuild in another process (:func:`step_job`)."""
    return dg.build_reconstructable_job(
        "smartchange_assets.refresh", "step_job", reconstructable_kwargs={
            "job_name": step.job_name,
            "keys": sorted(k.to_user_string() for k in step.keys),
            "executor": executor})


def executor_config(executor: str, max_concurrent: int) -> dict:
    """The run config of a refresh job's executor: the code location's default executor is
    in-process (measured fastest on 2 cores: README, "Executors"), which takes none."""
    if executor == "in_process":
        return {}
    return {"execution": {"config": {"max_concurrent": max_concurrent}}}
