"""A 405's Allow header lists the methods of the resource the path names, not of a parameter route it also fits
(schemathesis' ST205 found ``OPTIONS /photos/actions`` advertising /photos/{id}'s DELETE and GET)."""

from __future__ import annotations

from photovault.api.app import _allowed_methods


def test_a_literal_path_allows_only_its_own_methods() -> None:
    assert _allowed_methods("/api/photos/actions") == ["POST"]
    assert _allowed_methods("/photos/attention") == ["GET"]
    assert _allowed_methods("/api/photos/01HX") == ["DELETE", "GET"]
    assert _allowed_methods("/api/nowhere") == []
