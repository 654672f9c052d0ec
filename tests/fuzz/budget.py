"""How many inputs each fuzz property tries, and the Hypothesis settings it runs with.

By default (CI) every property runs a fixed, derandomized number of examples, so the
module takes about a minute on two cores and fails the same way on every machine. A long
campaign sets ``WSAUDIT_FUZZ_EXAMPLES`` to the total number of inputs, shared between the
properties in the same proportions, and ``WSAUDIT_FUZZ_SEED`` to draw other inputs
(random when unset during a campaign).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, settings

# Inputs per property in a CI run; their sum is the module's budget.
CI_EXAMPLES = {
    "manifest_text": 200,
    "manifest_data": 150,
    "pack_text": 40,
    "pack_data": 40,
    "waivers": 150,
    "baseline": 150,
    "cli": 4,
}


def examples_for(target: str) -> int:
    total = os.environ.get("WSAUDIT_FUZZ_EXAMPLES")
    if not total:
        return CI_EXAMPLES[target]
    share = CI_EXAMPLES[target] / sum(CI_EXAMPLES.values())
    return max(1, round(int(total) * share))


def campaign() -> bool:
    return bool(os.environ.get("WSAUDIT_FUZZ_EXAMPLES"))


def fuzz_settings(target: str) -> settings:
    """Settings for one property: no deadline (the machine is shared and timing is noisy;
    hangs are caught by the pipeline's own time limit), no example database (CI starts
    clean), derandomized unless a campaign asks otherwise."""
    return settings(
        max_examples=examples_for(target),
        deadline=None,
        database=None,
        derandomize=not campaign(),
        phases=(Phase.explicit, Phase.generate, Phase.shrink),
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
                               HealthCheck.large_base_example],
        print_blob=True,
    )


def campaign_seed() -> int | None:
    value = os.environ.get("WSAUDIT_FUZZ_SEED")
    return int(value) if value else None
