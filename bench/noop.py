"""The end-to-end benchmark's baseline job: RQ's own per-job cost, with no work in it."""


def noop() -> None:
    """Do nothing (RQ still fetches, forks, runs and records the job)."""
