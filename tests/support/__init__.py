"""What the tests share and never test themselves: fakes, stand-ins, sample payloads, in-process
and real-process harnesses. Test modules import from here, never from one another."""
