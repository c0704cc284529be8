"""Search in plain words, and the label and place facets that start or narrow one."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from aws_lambda_powertools.metrics import MetricUnit

from photovault import composition
from photovault.api import mappers
from photovault.api.contract import LabelList, PlaceList, SearchResults
from photovault.api.routing import JWT, PRIVATE, CursorParam, LimitParam, caller, ok
from photovault.observability import MetricName, metrics

router = APIGatewayHttpRouter()


@router.get(
    "/search",
    summary="Photos matching every word of q (labels, caption, text, the year and month taken, file name, camera) or "
    "looking like what it describes (a word of a person's name finds their photos), and the label and person facets, "
    "best first, each with why; the best partial matches when "
    "none matches every word",
    tags=["search"],
    security=JWT,
    responses={**ok(200, SearchResults), **PRIVATE},
)
def search(
    q: Annotated[str, Query(max_length=200, description="Plain words or a description")] = "",
    label: Annotated[
        str | None, Query(min_length=1, max_length=200, description="A label from GET /labels: narrows the search")
    ] = None,
    person: Annotated[
        str | None, Query(min_length=1, max_length=64, description="A person id from GET /people: narrows the search")
    ] = None,
    cursor: CursorParam = None,
    limit: LimitParam = 30,
) -> SearchResults:
    page = composition.api().library.search(
        caller(router), query=q, label=label, person=person, limit=limit, cursor=cursor
    )
    if page.embedding_tokens:  # the query's embedding is paid for: it counts in the AI spend
        metrics.add_metric(name=MetricName.EMBEDDING_INPUT_TOKENS, unit=MetricUnit.Count, value=page.embedding_tokens)
    return mappers.search_results(page)


@router.get(
    "/labels",
    summary="The caller's labels with photo counts, most photos first",
    tags=["search"],
    security=JWT,
    responses={**ok(200, LabelList), **PRIVATE},
)
def labels() -> LabelList:
    return mappers.label_list(composition.api().library.labels(caller(router)))


@router.get(
    "/places",
    summary="The caller's places (cities, regions, countries where their photos were taken) with photo counts, most "
    "photos first; private to the caller, never in a share",
    tags=["search"],
    security=JWT,
    responses={**ok(200, PlaceList), **PRIVATE},
)
def places() -> PlaceList:
    return mappers.place_list(composition.api().library.places(caller(router)))
