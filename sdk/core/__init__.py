"""Contracts of the Kyso SDK: hook specifications, plugin manager, models and errors.

Nothing in this package knows a document format. A plugin (built-in or third-party) is a module or object with
functions marked ``@hookimpl``; it is registered through the entry-point group ``kyso``::

    # pyproject.toml of a third-party distribution
    [project.entry-points.kyso]
    my_rule = "my_package.kyso_rule"

    # my_package/kyso_rule.py
    from kyso import hookimpl

    @hookimpl(wrapper=True)
    def kyso_validate_certificate(certificate, options):
        report = yield                      # the built-in validation runs first
        if report is not None and not report.subject.organization:
            report.messages.append("certificate has no organisation")
        return report
"""

import pluggy

NAME = "kyso"
"""Project name: the pluggy marker name, the entry-point group and the hook prefix."""

hookimpl = pluggy.HookimplMarker(NAME)
"""Marker for hook implementations (``@hookimpl``)."""

hookspec = pluggy.HookspecMarker(NAME)
"""Marker for hook specifications; only :mod:`kyso.core.spec` uses it."""

__all__ = ["NAME", "hookimpl", "hookspec"]
