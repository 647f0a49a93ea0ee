"""The helpdesk port's contract over mock, Zendesk (checked against its OpenAPI file) and a real
RT, and the Zendesk adapter's payloads, faults and doubt."""
