"""People: the faces of one owner's photos grouped into persons, named, merged and searched (issue 16)."""
