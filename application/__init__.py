"""What the service does, in the language of the domain: ports and one use case per module.

Rooms import downward only: ``use_cases`` -> ``filing`` / ``inputs`` / ``speech`` -> ``ports`` /
``timing`` -> the domain (``ports`` may import ``timing``, never the reverse). The two modules
beside the rooms, ``errors`` and ``ids``, import nothing of the application, and any room may
import them."""
