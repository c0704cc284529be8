"""The words people type for what a label model names: each label (Rekognition's names and their parents, and the
offline classifier's groups) also indexes these terms, so "kitten" finds a photo labelled "Cat" and "espresso" one
labelled "Coffee". A hit found this way says which label it came from (the posting's ``source``)."""

from __future__ import annotations

SYNONYMS: dict[str, tuple[str, ...]] = {
    # animals
    "Cat": ("kitten", "kitty", "feline"),
    "Feline": ("cat",),
    "Dog": ("puppy", "doggy", "hound", "canine"),
    "Canine": ("dog",),
    "Bird": ("birds", "avian"),
    "Horse": ("pony", "stallion", "mare", "equine"),
    "Fish": ("fishes",),
    "Pet": ("pets", "animal companion"),
    "Wildlife": ("wild animal",),
    "Cattle": ("cow", "cows", "bull"),
    "Insect": ("bug",),
    # people
    "Person": ("people", "human"),  # not man/woman: no label model here says which
    "Face": ("portrait", "selfie"),
    "Military Uniform": ("uniform", "soldier", "officer", "navy", "military"),
    "Clothing": ("clothes", "outfit", "apparel"),
    # food and drink
    "Coffee": ("espresso", "cappuccino", "latte", "cafe", "cup of coffee"),
    "Espresso": ("coffee",),
    "Cup": ("mug", "teacup"),
    "Beverage": ("drink",),
    "Food": ("meal", "dish"),
    "Dessert": ("sweet", "cake"),
    "Fruit": ("fruits",),
    "Alcohol": ("wine", "beer"),
    # vehicles and space
    "Spacecraft": ("rocket", "spaceship", "space shuttle", "launch"),
    "Space Shuttle": ("rocket", "spaceship", "launch"),
    "Missile": ("rocket", "launch"),
    "Rocket": ("spaceship", "launch"),
    "Car": ("automobile", "auto"),
    "Motorcycle": ("motorbike", "bike", "scooter"),
    "Bicycle": ("bike", "cycle"),
    "Boat": ("ship", "vessel"),
    "Aircraft": ("airplane", "plane", "aeroplane", "jet"),
    "Train": ("railway", "locomotive"),
    # places and things
    "Building": ("house", "architecture"),
    "Monument": ("landmark", "memorial"),
    "Roof": ("temple", "pagoda", "rooftop"),
    "Palace": ("temple", "castle"),
    "Church": ("chapel", "temple"),
    "Mosque": ("temple",),
    "Stupa": ("temple", "pagoda"),
    "Mountain": ("mountains", "peak", "hill"),
    "Water": ("lake", "river", "sea"),
    "Sea": ("ocean", "beach"),
    "Beach": ("seaside", "coast", "shore"),
    "Sky": ("clouds",),
    "Plant": ("greenery", "vegetation"),
    "Flower": ("blossom", "bloom", "flowers", "petal"),
    "Daisy": ("flower", "blossom"),
    "Tree": ("trees", "forest"),
    "Clock": ("time", "watch"),
    "Wall Clock": ("clock", "time"),
    "Camera": ("photographer", "photography"),
    "Phone": ("smartphone", "mobile"),
    "Computer": ("laptop", "pc"),
    "Document": ("page", "paper", "text"),
    "Text": ("writing", "words", "page"),
    "Book": ("reading", "page"),
    "Coin": ("coins", "money", "currency", "cash"),
    "Money": ("cash", "coins", "currency"),
    "Brick": ("bricks", "wall"),
    "Brick Wall": ("bricks", "wall"),
    "Grass": ("lawn", "meadow"),
    "Gravel": ("pebbles", "stones"),
}


def synonyms_of(label: str) -> tuple[str, ...]:
    return SYNONYMS.get(label, ())
