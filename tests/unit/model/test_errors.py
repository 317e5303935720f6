"""One failure classification: each error's `FailureClass`, and which classes may simply be resent."""

from __future__ import annotations

import pytest

from syncer.adapters.grafana.retry import RetryPolicy
from syncer.model.errors import (
    AlreadyExists,
    FailureClass,
    Forbidden,
    GrafanaError,
    Invalid,
    NotFound,
    RateLimited,
    ServerError,
    Unauthorized,
    Unreachable,
    VersionConflict,
)


@pytest.mark.parametrize(
    ("error", "failure", "resend"),
    [
        (ServerError("x"), FailureClass.TRANSIENT, True),
        (RateLimited("x"), FailureClass.TRANSIENT, True),
        (Unreachable("x"), FailureClass.WAITING, True),
        (VersionConflict("x"), FailureClass.CONFLICT, False),  # the executor re-reads and re-plans
        (AlreadyExists("x"), FailureClass.CONFLICT, False),
        (Unauthorized("x"), FailureClass.PERMANENT, False),
        (Forbidden("x"), FailureClass.PERMANENT, False),
        (NotFound("x"), FailureClass.PERMANENT, False),
        (Invalid("x"), FailureClass.PERMANENT, False),
        (GrafanaError("x"), FailureClass.PERMANENT, False),
    ],
)
def test_class_and_the_retry_policy_agree(error: GrafanaError, failure: FailureClass, resend: bool) -> None:
    assert error.failure_class is failure
    assert failure.resend is resend
    assert RetryPolicy(retries=4).should_retry(error, 0) is resend
