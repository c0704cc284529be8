"""Asynchronous jobs: work too big for one request (downloads now; export and account deletion next) runs in bounded
steps on the ``jobs`` queue, each step saving a checkpoint in the job item and queueing the next."""
