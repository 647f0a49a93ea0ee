"""Helpdesks behind the HelpdeskGateway port."""
