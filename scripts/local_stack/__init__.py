"""`make run`: the whole product on one machine — embedded AWS emulator, provisioner, SQS poller, gateway and edge.

Entry point: ``python -m scripts.local_stack``. Library entry: :class:`scripts.local_stack.stack.LocalStack`.
"""
