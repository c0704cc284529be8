"""The Amazon Location adapter against botocore's own ``location`` service model (moto does not emulate it; ``Stubber``
validates every request's shape): [longitude, latitude] order, one result in English, the alpha-3 country named,
throttling translated to the domain's error — and the model is botocore's own, so the Lambda zip needs none."""

from __future__ import annotations

from typing import Any

import boto3
import botocore
import pytest
from botocore.stub import Stubber

from photovault.adapters.location import LocationGeocoder, countries
from photovault.errors import Throttled
from photovault.model import Place

INDEX = "photovault-dev-places"


def _client() -> Any:
    session = boto3.session.Session(aws_access_key_id="x", aws_secret_access_key="x", region_name="eu-west-1")
    return session.client("location")


def _result(**place: Any) -> dict[str, Any]:
    return {
        "Results": [{"Place": {"Geometry": {"Point": [8.5417, 47.3769]}, **place}, "Distance": 12.0}],
        "Summary": {"Position": [8.5417, 47.3769], "DataSource": "Here", "MaxResults": 1, "Language": "en"},
    }


def test_the_position_is_sent_longitude_first_and_the_answer_reads_as_city_region_country() -> None:
    client = _client()
    geocoder = LocationGeocoder(client, INDEX)
    with Stubber(client) as stub:
        stub.add_response(
            "search_place_index_for_position",
            _result(Label="Bahnhofstrasse 1, 8001 Zürich, CHE", Municipality="Zürich", Region="Zürich", Country="CHE"),
            {"IndexName": INDEX, "Position": [8.5417, 47.3769], "MaxResults": 1, "Language": "en"},
        )
        place = geocoder.place_of(47.3769, 8.5417)
        stub.assert_no_pending_responses()
    assert place == Place(
        city="Zürich", region="Zürich", country="Switzerland", country_code="CH", geocoder=f"amazon-location:{INDEX}"
    )
    # The request goes to the places host of the index, which the worker reaches through the geo.places endpoint
    assert client.meta.service_model.operation_model("SearchPlaceIndexForPosition").endpoint == {
        "hostPrefix": "places."
    }


def test_no_result_and_an_empty_place_are_no_place() -> None:
    client = _client()
    geocoder = LocationGeocoder(client, INDEX)
    with Stubber(client) as stub:
        stub.add_response(
            "search_place_index_for_position",
            {"Results": [], "Summary": {"Position": [-30.0, 0.0], "DataSource": "Here", "MaxResults": 1}},
        )
        stub.add_response("search_place_index_for_position", _result(Label="Atlantic Ocean"))
        assert geocoder.place_of(0.0, -30.0) is None
        assert geocoder.place_of(0.0, -30.0) is None


def test_a_place_without_a_municipality_names_its_sub_region() -> None:
    client = _client()
    with Stubber(client) as stub:
        stub.add_response(
            "search_place_index_for_position", _result(SubRegion="Zermatt", Region="Valais", Country="CHE")
        )
        place = LocationGeocoder(client, INDEX).place_of(46.02, 7.75)
    assert place is not None and place.names == ("Zermatt", "Valais", "Switzerland")


def test_throttling_becomes_the_domain_error_the_pipeline_retries() -> None:
    client = _client()
    with Stubber(client) as stub:
        stub.add_client_error("search_place_index_for_position", "ThrottlingException", http_status_code=429)
        with pytest.raises(Throttled):
            LocationGeocoder(client, INDEX).place_of(47.37, 8.54)


def test_every_country_amazon_location_can_name_has_a_name() -> None:
    # ISO 3166-1 alpha-3 codes: all 249, each with its alpha-2 code and an English name
    table = countries()
    assert len(table) == 249 and table["CHE"] == ("CH", "Switzerland") and table["USA"] == ("US", "United States")
    assert all(len(code2) == 2 and name for code2, name in table.values())


def test_the_location_model_ships_with_botocore_since_long_before_the_lambda_runtime() -> None:
    # Unlike S3 Vectors (adapters/botocore_data), nothing is bundled: botocore has had location since 1.19 (2020)
    loader = botocore.session.get_session().get_component("data_loader")
    assert "2020-11-19" in loader.list_api_versions("location", "service-2")
