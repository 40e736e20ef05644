"""Signer backends: where keys live. Each module is a plugin offering one backend."""
