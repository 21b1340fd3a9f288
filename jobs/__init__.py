"""RQ: the worker, queueing (queue names, retry and TTL policies, the one enqueue-once), the schedule, a module per job family."""
