"""Batch signing, verification and extension over files, folders, globs, lists and adapters' stores: a resumable
journal, a pool of worker processes or Dask distributed, each document failing alone (``kyso batch``)."""
