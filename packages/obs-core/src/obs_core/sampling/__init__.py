"""Sampling: head by user hash (whole journeys kept), a canary cohort, and tail rules.

``configure(sampling=SamplingConfig(...))`` or the ``OBS_SAMPLING_*`` variables turn it
on; without either, the SDK's own ``OTEL_TRACES_SAMPLER`` applies unchanged.
"""

from ._config import SamplingConfig
from ._head import UserHashSampler, unit_interval
from ._tail import TailSamplingProcessor

__all__ = ["SamplingConfig", "TailSamplingProcessor", "UserHashSampler", "unit_interval"]
