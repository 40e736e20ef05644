"""Where Kyso keeps its configuration: one directory for the trust store, ``config.toml`` and ``adapters.toml``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

CONFIG_ENV = "KYSO_CONFIG_DIR"
CONFIG_FILE_ENV = "KYSO_CONFIG"


def config_dir() -> Path:
    """``KYSO_CONFIG_DIR``, else ``$XDG_CONFIG_HOME/kyso`` or ``~/.config/kyso`` (Linux),
    ``~/Library/Application Support/kyso`` (macOS), ``%APPDATA%\\kyso`` (Windows)."""
    configured = os.environ.get(CONFIG_ENV)
    if configured:
        return Path(configured)
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming") / "kyso"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "kyso"
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "kyso"


def config_file() -> Path:
    """The configuration file: ``KYSO_CONFIG`` (a file), else ``config.toml`` in :func:`config_dir` (defaults of the
    commands, docs/configuration.md; ``[trust]`` anchors of the trust store)."""
    configured = os.environ.get(CONFIG_FILE_ENV)
    return Path(configured).expanduser() if configured else config_dir() / "config.toml"


__all__ = ["CONFIG_ENV", "CONFIG_FILE_ENV", "config_dir", "config_file"]
