"""The XML-DSig engine: hardened XML reading, canonicalisation, enveloped signing and verification that judges
only what was signed. edXML (``kyso_edxml``) is a mapping onto it; a generic XML format can be another.
"""
