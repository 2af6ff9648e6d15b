"""Elastic Disaster Recovery (DRS), laid out as a moto service so it can move to ``moto/drs``."""

from .models import drs_backends  # noqa: F401
