"""``python -m sdk.cli``: the same as the ``kyso`` command."""

from sdk.cli.main import main

main()
