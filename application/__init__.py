"""What the service does, in the language of the domain: ports and one use case per module.

Rooms import downward only: ``use_cases`` -> ``speech`` / ``filing`` / ``inputs`` -> ``ports`` /
``timing`` -> the domain. Within a tier, ``speech`` may read a filing's result and ``ports`` may
name ``timing``'s types, never the reverse. The two modules beside the rooms, ``errors`` and
``ids``, import nothing of the application, and any room may import them."""
