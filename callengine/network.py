"""The phone network around a simulated call: the call's REST resource in the sandbox.

Real Twilio keeps a call resource for every live call, which the agent's workflow
redirects (a transfer) or completes (a hang-up) over REST, and Twilio then stops
the media stream. The sandbox emulates that resource (sandbox/twilio.py); this
client is the simulated network's side of it: the call exists once dialled, ends
when the caller hangs up, and `PhoneCall` watches it to stop the stream and
follow a redirect exactly when Twilio would.
"""

from __future__ import annotations

from typing import Any

import httpx

DEV_ADMIN_TOKEN = "dev-admin-token"


class PhoneNetwork:
    """The sandbox's Twilio emulator, from the network's side (`/_admin/twilio`)."""

    def __init__(self, sandbox_url: str, admin_token: str = DEV_ADMIN_TOKEN) -> None:
        self.base = sandbox_url.rstrip("/") + "/_admin/twilio/calls"
        self._headers = {"Authorization": f"Bearer {admin_token}"}

    async def _request(self, method: str, url: str, **kw: Any) -> httpx.Response:
        async with httpx.AsyncClient(timeout=5) as http:
            return await http.request(method, url, headers=self._headers, **kw)

    async def place(self, call_sid: str, caller: str, called: str) -> None:
        """A caller dialled in: the call is in progress."""
        resp = await self._request("POST", self.base, json={"sid": call_sid, "from": caller, "to": called})
        resp.raise_for_status()

    async def caller_hung_up(self, call_sid: str) -> None:
        """The caller put the phone down."""
        await self._request("POST", f"{self.base}/{call_sid}/hangup")

    async def inspect(self, call_sid: str) -> dict[str, Any] | None:
        """The call as Twilio sees it: status, TwiML it was redirected to, child legs."""
        resp = await self._request("GET", f"{self.base}/{call_sid}")
        if resp.status_code != 200:
            return None
        body: dict[str, Any] = resp.json()
        return body
