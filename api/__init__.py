"""The HTTP side: Twilio webhooks, the media WebSocket, health and metrics."""

from api.app import MediaHandler, create_app

__all__ = ["MediaHandler", "create_app"]
