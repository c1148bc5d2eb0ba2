"""The firm's work: accounts and contacts, pipelines and stages, jobs, tasks, tags, the services catalog, the board, CSV import."""
