"""Jobs that wait for a shop's merchant to authorise Klubb again.

Once Shopify refused a shop's tokens, nothing calls Shopify for the shop
(:mod:`loyalty.shopify.authorisation`): a job that would raises
:class:`~loyalty.shopify.errors.ShopNeedsAuthorisation` at once. RQ's retries could only fail
the same way, so the worker holds the job instead (:func:`hold`): it ends ``failed`` in its
queue's failed registry, with that error type and no retry, and its id joins the shop's set
``klubb:awaiting-authorisation:{shop}`` (the shop joins ``klubb:awaiting-authorisation``). When a new token is exchanged (the merchant's next load
of the embedded admin, ``admin/install.py``), :func:`release` puts each of those jobs back on its
queue with the retries it had left. The push sweeper (every minute) releases the jobs of any
shop authorised again whose jobs still wait, in case Redis was away at that load.
"""

from __future__ import annotations

import logging

from redis import Redis
from redis.exceptions import RedisError
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy import select

from jobs.queueing import FAILURE_TTL
from loyalty.core.models import Shop
from runtime import Runtime

log = logging.getLogger(__name__)

SHOPS = "klubb:awaiting-authorisation"
"""The shops with jobs waiting."""
PREFIX = SHOPS + ":"
"""Followed by a shop's domain: the ids of its waiting jobs."""
RETRIES_LEFT = "klubb_retries_left"
"""The job's meta key for the retries it had left when it was held."""


def hold(connection: Redis, job: Job, shop: str) -> None:
    """Keep RQ from retrying ``job`` (the worker is about to fail it) and note it among the
    jobs waiting for the shop's authorisation."""
    job.meta[RETRIES_LEFT] = job.retries_left
    job.save_meta()  # type: ignore[no-untyped-call]
    job.retries_left = 0
    with connection.pipeline() as pipe:
        pipe.sadd(PREFIX + shop, job.id)
        pipe.expire(PREFIX + shop, FAILURE_TTL)  # RQ forgets the failed jobs by then
        pipe.sadd(SHOPS, shop)
        pipe.execute()


def release(rt: Runtime, shop: str) -> int:
    """Put the jobs waiting for the shop back on their queues, with their retries; how many.

    A job that is gone (RQ forgot it) or no longer failed (queued again meanwhile) is dropped
    from the set. Raises RedisError when Redis is away.
    """
    key = PREFIX + shop
    released = 0
    for raw in rt.redis.smembers(key):
        job_id = raw.decode() if isinstance(raw, bytes) else str(raw)
        try:
            job = Job.fetch(job_id, connection=rt.redis)
            if job.get_status(refresh=False) == JobStatus.FAILED:
                job.retries_left = job.meta.pop(RETRIES_LEFT, None)
                job.save()
                job.requeue()
                released += 1
        except (NoSuchJobError, InvalidJobOperation):
            pass
        rt.redis.srem(key, job_id)
    if not rt.redis.scard(key):
        rt.redis.srem(SHOPS, shop)
    if released:
        log.info("%s is authorised again: %d waiting jobs queued", shop, released)
    return released


def release_after_authorisation(rt: Runtime, shop: str) -> int:
    """:func:`release`, leaving the jobs to the push sweeper when Redis is away (a log line)."""
    try:
        return release(rt, shop)
    except (RedisError, OSError) as err:
        log.warning(
            "jobs waiting for %s not released (%s): the sweeper will", shop, type(err).__name__
        )
        return 0


def release_authorised_shops(rt: Runtime) -> int:
    """Release the waiting jobs of every shop that is authorised again; how many were queued."""
    waiting = set()
    for raw in rt.redis.smembers(SHOPS):
        shop = raw.decode() if isinstance(raw, bytes) else str(raw)
        if rt.redis.exists(PREFIX + shop):
            waiting.add(shop)
        else:  # its jobs expired with RQ's failed registry
            rt.redis.srem(SHOPS, shop)
    if not waiting:
        return 0
    with rt.sessions() as s:
        authorised = set(
            s.scalars(
                select(Shop.domain).where(
                    Shop.domain.in_(waiting), Shop.needs_authorisation_since.is_(None)
                )
            )
        )
    return sum(release(rt, shop) for shop in sorted(authorised))
