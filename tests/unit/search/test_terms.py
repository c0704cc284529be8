"""One normalisation for indexing and querying, and what a photo is findable by."""

from __future__ import annotations

from photovault.model import Analysis, Caption, Label, TextLine
from photovault.search.index import facet_labels, index_terms
from photovault.search.terms import singular, tokens


def test_tokens_fold_case_accents_stop_words_and_plurals():
    assert tokens("The Dogs of Café Zürich!") == ["dog", "cafe", "zurich"]
    assert tokens("puppies, boxes, buses, glasses, people") == ["puppy", "box", "bus", "glass", "person"]


def test_singular_leaves_non_plurals_alone():
    for word in ("glass", "bus", "grass", "cactus", "tennis", "is"):
        assert singular(word) == word


def test_index_terms_cover_labels_parents_caption_and_text_with_their_fields():
    analysis = Analysis(
        labels=(Label("Golden Retriever", 97.0, parents=("Dog", "Animal")), Label("Blurry", 40.0)),
        text=(TextLine("Beware of the dogs", 91.0),),
    )
    caption = Caption("A golden dog on grass.", "m", "v", fallback=False)
    terms = index_terms(analysis, caption, 70.0)
    fields = {(term, match.field) for term, matches in terms.items() for match in matches}
    assert ("golden retriever", "label") in fields and ("retriever", "label") in fields
    assert ("dog", "label") in fields and ("animal", "label") in fields
    assert ("dog", "text") in fields and ("beware", "text") in fields
    assert ("grass", "caption") in fields
    assert "blurry" not in terms
    assert [m.field for m in terms["dog"]] == ["label", "caption", "text"]  # labels first: the strongest reason
    assert facet_labels(analysis, 70.0) == ["Golden Retriever", "Dog", "Animal"]


def test_query_and_index_normalise_the_same_way():
    terms = index_terms(Analysis(labels=(Label("Café", 99.0),)), None, 70.0)
    assert set(terms) == set(tokens("CAFES"))
