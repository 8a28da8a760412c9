"""The state machine of tests/test_robust_stateful.py, run for much longer.

SHELF_STRESS_EXAMPLES=2000 pytest tests/stress/test_stress_stateful.py
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

from tests.test_robust_stateful import ShelfMachine


class LongShelfMachine(ShelfMachine):
    pass


LongShelfMachine.TestCase.settings = settings(
    max_examples=int(os.environ.get("SHELF_STRESS_EXAMPLES", "500")),
    stateful_step_count=int(os.environ.get("SHELF_STRESS_STEPS", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_long_state_machine = LongShelfMachine.TestCase
