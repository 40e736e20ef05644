"""Starting uvicorn with the service's worker processes.

The configuration reaches the workers as JSON in :data:`~kyso.service.config.SETTINGS_ENV`; the revocation cache
directory and the mirrors go through Kyso's own variables (``KYSO_CACHE_DIR``, ``KYSO_REVOCATION_MIRRORS``), so
every worker reads and fills the one disk cache of OCSP responses and CRLs.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable

from kyso.service.config import SETTINGS_ENV, ServiceConfig


def prepare_environment(config: ServiceConfig) -> None:
    """Set what the worker processes inherit."""
    from kyso.certs.cache import CACHE_ENV
    from kyso.certs.fetching import MIRRORS_ENV

    os.environ[SETTINGS_ENV] = config.to_json()
    if config.cache_dir:
        os.environ[CACHE_ENV] = config.cache_dir
    if config.mirrors:
        os.environ[MIRRORS_ENV] = json.dumps(config.mirrors)


def run(config: ServiceConfig, *, announce: Callable[[str], None] = print) -> None:
    """Serve until interrupted. The database is created (and checked) before the workers start."""
    try:
        import uvicorn
    except ImportError:
        from kyso.core.errors import UsageError

        raise UsageError("kyso serve needs its extra: pip install 'kyso[serve]'") from None
    from kyso.service.store import Store

    store = Store(config.database_url())
    store.keys()  # creates the tables once, and fails here (not in every worker) on a bad URL
    store.close()
    uvicorn_config = uvicorn.Config(
        "kyso.service.app:create_app",
        host=config.host,
        port=config.port,
        factory=True,
        workers=config.workers,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=5,
        limit_concurrency=max(64, config.workers * config.concurrency * 8),
        h11_max_incomplete_event_size=64 * 1024,
    )
    listener = uvicorn_config.bind_socket()  # before the workers: port 0 becomes the free port they all serve
    config = config.replace(port=listener.getsockname()[1])
    prepare_environment(config)
    announce(f"kyso serve: http://{config.host}:{config.port}/ ({config.workers} workers, database {_shown(config)})")
    if config.workers > 1:
        from uvicorn.supervisors import Multiprocess

        Multiprocess(uvicorn_config, sockets=[listener]).run()
    else:
        uvicorn.Server(uvicorn_config).run(sockets=[listener])


def _shown(config: ServiceConfig) -> str:
    """The database URL without a password."""
    url = config.database_url()
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url
