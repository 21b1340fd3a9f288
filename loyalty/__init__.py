"""Klubb's domain: members, points, rewards and privacy, over SQLAlchemy.

Nothing in this package imports Flask, RQ or Redis: the web and worker layers call into it.
"""
