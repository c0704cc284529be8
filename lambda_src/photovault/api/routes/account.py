"""The caller's account: sign out everywhere (every token issued until now stops working at this API), what the vault
holds, and deleting the account for good (a job)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from aws_lambda_powertools.metrics import MetricUnit

from photovault import composition
from photovault.api.contract import DeletionRequest, JobAccepted, SignedOut, SignOutRequest, Usage
from photovault.api.routing import E415, JWT, PRIVATE, caller, ok, token_origin
from photovault.observability import MetricName, metrics

router = APIGatewayHttpRouter()


@router.post(
    "/account/sign-out-everywhere",
    summary="Sign out everywhere: tokens issued until now are refused (the client also calls Cognito GlobalSignOut)",
    tags=["account"],
    security=JWT,
    responses={**ok(200, SignedOut), **PRIVATE, **E415},
)
def sign_out_everywhere(body: SignOutRequest) -> SignedOut:
    keep = token_origin(router) if body.keep_this_session else None
    valid_after = composition.api().sessions.sign_out_everywhere(caller(router), keep=keep)
    return SignedOut(tokens_valid_after=valid_after)


@router.get(
    "/account/usage",
    summary="What the caller's vault holds: photos, stored bytes and the storage quota",
    tags=["account"],
    security=JWT,
    responses={**ok(200, Usage), **PRIVATE},
)
def usage() -> Usage:
    used = composition.api().library.usage(caller(router))
    return Usage(photos=used.photos, bytes=used.bytes, quota_bytes=used.quota_bytes)


@router.post(
    "/account/deletion",
    summary="Delete the account for good: from now on every token of it is refused (this session may only follow the "
    "job: GET /jobs/{id}, which answers 404 once the account is gone)",
    tags=["account"],
    status_code=202,
    security=JWT,
    responses={**ok(202, JobAccepted, "Accepted: follow GET /jobs/{job_id}"), **PRIVATE, **E415},
)
def delete_account(body: DeletionRequest) -> Response[str]:
    owner, services = caller(router), composition.api()
    keep = token_origin(router)
    job = services.jobs.submit(owner, "delete_account", {"keep": keep})
    # Sealed now, not when the job's first step runs: nothing more is created from the moment this answers.
    job_id = services.sessions.close(owner, job_id=job.job_id, keep=keep)
    metrics.add_metric(name=MetricName.JOBS_SUBMITTED, unit=MetricUnit.Count, value=1)
    return Response(
        status_code=202,
        content_type=content_types.APPLICATION_JSON,
        body=JobAccepted(id=job_id).model_dump_json(),
        headers={"Location": f"/api/jobs/{job_id}"},
    )
