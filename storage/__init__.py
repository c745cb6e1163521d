"""Storage: SQLAlchemy 2 tables mapped onto the domain model, Alembic migrations, the unit of work."""
