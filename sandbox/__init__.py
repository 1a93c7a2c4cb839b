"""Local stand-ins for the business systems a call touches (Shopify, Zendesk, CRM, scheduling)."""

from sandbox.app import create_app

__all__ = ["create_app"]
