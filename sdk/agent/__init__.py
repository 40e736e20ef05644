"""A per-user local signing service speaking the VGCA Sign Service protocol (``kyso agent run``), like ssh-agent.

Web pages written for the Windows-only VGCA Sign Service (``vgcaplugin.js``) reach it unchanged, on every OS:
a WebSocket at ``wss://127.0.0.1:8987/<Endpoint>``, one JSON message per call, one reply. The modules:

- :mod:`kyso.agent.protocol`: the VGCA request and reply fields, the endpoints and Kyso's :class:`Status` table;
- :mod:`kyso.agent.policy`: who may call (origin allowlist) and which URLs a call may touch, limits;
- :mod:`kyso.agent.transfer`: the bounded download of ``FileName`` and the upload to ``FileUploadHandler``;
- :mod:`kyso.agent.consent`: the user's yes (a tkinter dialog, a terminal prompt, or allowlisted kiosks);
- :mod:`kyso.agent.audit`: the SQLite audit log that ``kyso agent log`` prints;
- :mod:`kyso.agent.tls`: the per-user local CA, name-constrained to localhost and 127.0.0.1;
- :mod:`kyso.agent.service`: the WebSocket server (the ``websockets`` library), ``GET /kyso.js`` and ``/health``;
- :mod:`kyso.agent.autostart`: the per-user autostart entry of ``kyso agent install``.

The ``websockets`` library is the optional extra ``kyso[agent]``; nothing here imports it before a server starts.
"""
