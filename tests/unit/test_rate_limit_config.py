"""The widget API's rate limits can be set from the environment (RATE_LIMIT_PER_SHOP/_SHOPPER).

What the limits do once set is tested in tests/widget/test_proxy_auth.py; here: that the
variables reach the typed settings widgets/ratelimit.py reads, with the defaults when unset.
"""

from __future__ import annotations

import pytest

from loyalty.core.config import Config, ConfigError


def test_the_limits_are_read_as_whole_numbers():
    config = Config.from_env({"RATE_LIMIT_PER_SHOP": "100000", "RATE_LIMIT_PER_SHOPPER": " 120 "})
    assert (config.rate_limit_per_shop, config.rate_limit_per_shopper) == (100000, 120)


def test_one_limit_alone_leaves_the_other_at_its_default():
    config = Config.from_env({"RATE_LIMIT_PER_SHOP": "5000"})
    assert (config.rate_limit_per_shop, config.rate_limit_per_shopper) == (5000, 60)


def test_unset_or_empty_limits_are_the_defaults():
    for env in ({}, {"RATE_LIMIT_PER_SHOP": "", "RATE_LIMIT_PER_SHOPPER": ""}):
        config = Config.from_env(env)
        assert (config.rate_limit_per_shop, config.rate_limit_per_shopper) == (3000, 60)


@pytest.mark.parametrize("raw", ["many", "1.5", "0", "-3"])
def test_a_limit_that_is_not_a_positive_whole_number_is_refused(raw):
    with pytest.raises(ConfigError, match="RATE_LIMIT_PER_SHOPPER"):
        Config.from_env({"RATE_LIMIT_PER_SHOPPER": raw})
