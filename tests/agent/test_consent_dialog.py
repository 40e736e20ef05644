"""The consent dialog under Xvfb, driven by keystrokes (issue 12, items 3 and 7): the PIN typed in it opens the
SoftHSM2 token; a wrong PIN and a refusal each get their Status. Screenshots are saved and looked at."""

from __future__ import annotations

import threading

import pytest
from agent_support import screenshot, xdotool

from kyso.agent.consent import TITLE, Dialog
from kyso.agent.policy import Policy
from kyso.agent.protocol import Status
from kyso.agent.service import AgentService, AgentSettings, SignerSource

pytest_plugins = ["agent_support"]


@pytest.fixture(scope="module")
def dialog_agent(agent_world, kyso_token, xvfb_display):
    """An agent whose PIN is asked in the dialog, call by call (no --pin-env), on the session's virtual screen."""
    import os

    saved = os.environ.get("DISPLAY")
    os.environ["DISPLAY"] = xvfb_display
    source = SignerSource("USB token kyso-test", lambda pin: kyso_token.signer("person", pin=pin), needs_pin=True)
    service = AgentService(
        source, Policy.build([agent_world.files_origin]), consent=Dialog(timeout=30), settings=AgentSettings(), port=0
    ).start()
    yield service
    service.stop()
    if saved is None:
        os.environ.pop("DISPLAY", None)
    else:
        os.environ["DISPLAY"] = saved


def _call_in_background(world, service, endpoint="SignPDF"):
    import json

    from websockets.sync.client import connect

    base = world.files_origin
    result: dict = {}

    def run():
        with connect(f"{service.url}/{endpoint}", origin=base) as ws:
            ws.send(json.dumps({"FileName": f"{base}/doc.pdf", "FileUploadHandler": f"{base}/upload/ok"}))
            result.update(json.loads(ws.recv(timeout=60)))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, result


def _window(display):
    window = xdotool(display, "search", "--sync", "--name", "^" + TITLE.split(" - ")[0])  # ASCII: xdotool regex
    return window.splitlines()[0]


def test_the_pin_typed_in_the_dialog_signs(agent_world, dialog_agent, xvfb_display, kyso_token, tmp_path):
    thread, result = _call_in_background(agent_world, dialog_agent)
    window = _window(xvfb_display)
    xdotool(xvfb_display, "windowfocus", "--sync", window)
    xdotool(xvfb_display, "type", "--delay", "5", kyso_token.pin)
    screenshot(xvfb_display, tmp_path / "consent-dialog.png")
    xdotool(xvfb_display, "key", "Return")
    thread.join(60)
    assert result["Status"] == Status.OK, result
    assert kyso_token.pin not in str(result)


def test_a_wrong_pin_and_a_refusal_get_their_status(agent_world, dialog_agent, xvfb_display, tmp_path):
    thread, result = _call_in_background(agent_world, dialog_agent)
    window = _window(xvfb_display)
    xdotool(xvfb_display, "windowfocus", "--sync", window)
    xdotool(xvfb_display, "type", "--delay", "5", "000000")
    xdotool(xvfb_display, "key", "Return")
    thread.join(60)
    assert result["Status"] == Status.WRONG_PIN, result

    thread, result = _call_in_background(agent_world, dialog_agent)
    window = _window(xvfb_display)
    xdotool(xvfb_display, "windowfocus", "--sync", window)
    xdotool(xvfb_display, "key", "Escape")
    thread.join(60)
    assert result["Status"] == Status.CONSENT_DENIED, result
