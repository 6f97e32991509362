"""The UI's table from errors to pages: a page reports an error with the API's status for it."""

from __future__ import annotations

import pytest

from seaway.errors import (
    ContentChanged,
    InvalidInput,
    InvalidJson,
    NotFound,
    SeawayError,
    SelfApprovalRefused,
    TargetError,
)
from seaway.web.errors import status_for
from seaway.web.ui.pages import ErrorPage, page_for


@pytest.mark.parametrize(
    ("error", "page"),
    [
        (NotFound('no deployment "Deployments-9"'), ErrorPage(404, "Not found")),
        (SelfApprovalRefused("you started this deployment"), ErrorPage(403, "Not allowed")),
        (ContentChanged("the release changed"), ErrorPage(409, "Changed meanwhile")),
        (InvalidInput("a reason is required", field="note"), ErrorPage(422, "Not accepted")),
        (InvalidJson("not JSON"), ErrorPage(400, "Not accepted")),
        (TargetError("the target is gone"), ErrorPage(400, "Refused")),
    ],
)
def test_a_page_reports_an_error_with_the_apis_status_and_its_kinds_title(error: SeawayError, page: ErrorPage) -> None:
    assert page_for(error) == page
    assert page_for(error).status == status_for(error)
