"""The HTTP server's own protocol: uvicorn's httptools protocol with deadlines for a request's
head and body, a head budget, and a connection cap fitted to the file limit.

Imported by name by uvicorn (``serving``); imports only configuration and the wire's codes."""
