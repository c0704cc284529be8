"""The caller's asynchronous jobs: start one (202, then follow it) and read one (progress, files, failure)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from aws_lambda_powertools.metrics import MetricUnit

from photovault import composition
from photovault.api import mappers
from photovault.api.contract import Job, JobAccepted, JobRequest
from photovault.api.routing import E404, E415, JWT, PRIVATE, caller, ok
from photovault.observability import MetricName, metrics

router = APIGatewayHttpRouter()

JobIdParam = Annotated[str, Path(min_length=1, max_length=64, description="Job id")]


@router.post(
    "/jobs",
    summary="Start an asynchronous job: download a selection's originals, or export everything, as zip parts",
    tags=["jobs"],
    status_code=202,
    security=JWT,
    responses={**ok(202, JobAccepted, "Accepted: follow GET /jobs/{job_id}"), **PRIVATE, **E415},
)
def create_job(body: Annotated[JobRequest, Body()]) -> Response[str]:
    job = composition.api().jobs.submit(caller(router), body.kind, body.model_dump(exclude={"kind"}))
    metrics.add_metric(name=MetricName.JOBS_SUBMITTED, unit=MetricUnit.Count, value=1)
    return Response(
        status_code=202,
        content_type=content_types.APPLICATION_JSON,
        body=JobAccepted(id=job.job_id).model_dump_json(),
        headers={"Location": f"/api/jobs/{job.job_id}"},
    )


@router.get(
    "/jobs/<job_id>",
    summary="One of the caller's jobs: state, progress, files (fresh short-lived links), failure",
    tags=["jobs"],
    security=JWT,
    responses={**ok(200, Job), **PRIVATE, **E404},
)
def get_job(job_id: JobIdParam) -> Job:
    return mappers.job(composition.api().jobs.get(caller(router), job_id))
