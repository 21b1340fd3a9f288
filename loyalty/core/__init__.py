"""Configuration, storage, models, types, money, errors and payload parsing: what every concept stands on."""
