"""What the service does, in the language of the domain: ports and one use case per module."""
