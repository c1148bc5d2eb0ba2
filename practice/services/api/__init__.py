"""The REST API's domain side (`/api/v1`, served by `practice/api_routes.py`): lists of the firm's records for a staff
actor, with the app's own visibility rules, and the writes it offers through the app's own services."""
