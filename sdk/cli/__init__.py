"""The ``kyso`` command line: parse, call the public API, print. No signing logic lives here."""
