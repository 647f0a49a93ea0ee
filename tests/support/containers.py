"""What a container holds open: the network clients of its backend families."""

from __future__ import annotations

from dependency_injector import providers

from entrypoints.bootstrap.container import Container, families


def opened(container: Container) -> list[object]:
    """The network clients the container holds open right now."""
    return [
        resource()
        for family in families(container)
        for resource in family.traverse(types=[providers.Resource])
        if resource.initialized
    ]
