"""``python -m kyso.cli``: the same as the ``kyso`` command."""

from kyso.cli.main import main

main()
