"""The account: plan, status and balance of the verified caller."""

from __future__ import annotations

from realtime.brain import speak
from realtime.brain.offline import lines
from realtime.brain.offline.agent import Agent, Flow


async def account_flow(agent: Agent) -> Flow:
    """Read out the account summary, then offer more."""
    res = await agent.tool("get_account", {})
    yield agent.last
    if not res.ok:
        async for ev in agent.tool_failed(res, "account"):
            yield ev
        return
    a = res.data
    # A status is the CRM's own word ("past_due", "on_hold"): spoken as its words.
    status = str(a.get("status", "")).replace("_", " ").strip() or "open"
    agent.d.resolved = True
    summary = lines.account(str(a["plan"]), status, speak.say_money(int(a["balance_cents"])))
    async for ev in agent.anything_else(summary):
        yield ev
