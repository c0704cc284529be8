"""Starting an upload: the PENDING photo and a presigned POST straight to the originals bucket."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from aws_lambda_powertools.metrics import MetricUnit

from photovault import composition
from photovault.api import mappers
from photovault.api.contract import UploadCreated, UploadRequest
from photovault.api.routing import JWT, PRIVATE, caller, error, ok
from photovault.observability import MetricName, metrics

router = APIGatewayHttpRouter()


@router.post(
    "/uploads",
    summary="Start an upload: creates the PENDING photo and returns a presigned POST",
    tags=["photos"],
    status_code=201,
    security=JWT,
    responses={
        **ok(201, UploadCreated, "Created: POST the file to url with fields"),
        **PRIVATE,
        413: error("The declared size is over the upload limit"),
        415: error("The photo's content type is not accepted, or the body is not application/json"),
    },
)
def create_upload(body: UploadRequest) -> UploadCreated:
    ticket = composition.api().library.request_upload(
        caller(router), filename=body.filename, content_type=body.content_type, size=body.size
    )
    metrics.add_metric(name=MetricName.UPLOADS_REQUESTED, unit=MetricUnit.Count, value=1)
    return mappers.upload_created(ticket)
