"""The local stack's stand-ins for what the emulator cannot answer: an offline image analyzer in place of
Rekognition, dlib's face descriptors in place of Rekognition face collections (people), an offline embedder in
place of Titan Multimodal Embeddings (the vectors still go to S3 Vectors on the emulator), an offline reverse
geocoder in place of Amazon Location, and no captioning model in place of Bedrock (the pipeline then composes
captions from the analysis). They live here, not in ``lambda_src``: no Lambda zip carries them, and ``Settings``
has no switch for them."""

from __future__ import annotations


def install() -> None:
    """Wire the offline models into this process's composition root (run in the worker and the api before their
    first event; the api embeds query text). Models load on first use.

    Everything else the functions build — S3, S3 Vectors, DynamoDB, SNS adapters — stays the AWS one, pointed at
    the emulator."""
    from photovault import composition
    from scripts.local_stack.offline.analyzer import OfflineAnalyzer
    from scripts.local_stack.offline.embedder import OfflineEmbedder
    from scripts.local_stack.offline.face_index import DlibFaceIndex, TableDescriptors
    from scripts.local_stack.offline.geocoder import OfflineGeocoder

    composition.override(
        analyzer=OfflineAnalyzer(),
        captioner=None,
        embedder=OfflineEmbedder(),
        geocoder=OfflineGeocoder(),
        face_index=DlibFaceIndex(TableDescriptors()),
    )
