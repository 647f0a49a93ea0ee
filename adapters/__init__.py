"""Technology behind the application's ports: helpdesks, stores, the clock."""
