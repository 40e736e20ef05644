"""Platform and format plugins shipped with Kyso, each registered through the entry-point group ``kyso`` exactly
like a third-party plugin (see ``[project.entry-points.kyso]`` in ``pyproject.toml``).

- :mod:`plugins.edxml`: national document-exchange packages (edXML, QCVN 102:2016).
- :mod:`plugins.ioffice`: adapter for iOffice-style document-management platforms (QLVB&ĐH).
- :mod:`plugins.onegate`: adapter for one-stop-shop platforms (Một cửa điện tử), shaped on OpenCPS.
"""
