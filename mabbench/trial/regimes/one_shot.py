"""``one_shot``: no recovery; the compacted model is scored as cut (protocol v2)."""
from __future__ import annotations

from mabbench.trial.regimes import REGIMES, RecoveryJob


class OneShot:
    on_curve = True  # nothing to pay for
    changes_model = False  # scored as cut: the endpoints score it once

    def recover(self, model, job: RecoveryJob) -> dict:
        return {}


REGIMES.register("one_shot")(OneShot())
