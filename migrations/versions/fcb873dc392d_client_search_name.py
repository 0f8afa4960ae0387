"""client search: normalised name column; trigram indexes on PostgreSQL when pg_trgm is there

Revision ID: fcb873dc392d
Revises: 8b30750b940e
Create Date: 2026-11-27 14:55:42.280824

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'fcb873dc392d'
down_revision = '8b30750b940e'
branch_labels = None
depends_on = None

# `LIKE '%…%'` on these columns is what client search runs (engine/client_search.py).
TRIGRAM_INDEXES = {
    'ix_client_search_name_trgm': ('client', 'search_name'),
    'ix_client_phone_phone_trgm': ('client_phone', 'phone'),
    'ix_client_email_email_trgm': ('client_email', 'email'),
}


def search_key(text):
    """models.client.search_key as of this revision: case-folded, ё as е, single spaces."""
    return " ".join((text or "").casefold().replace("ё", "е").split())


def upgrade():
    with op.batch_alter_table('client', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('search_name', sa.String(length=300), nullable=False, server_default='')
        )
    bind = op.get_bind()
    client = sa.table('client', sa.column('id', sa.Integer), sa.column('full_name', sa.String),
                      sa.column('search_name', sa.String))
    for row in bind.execute(sa.select(client.c.id, client.c.full_name)).all():
        bind.execute(client.update().where(client.c.id == row.id)
                     .values(search_name=search_key(row.full_name)))
    if bind.dialect.name == 'postgresql' and _trigrams_available(bind):
        for name, (table, column) in TRIGRAM_INDEXES.items():
            op.create_index(name, table, [column], postgresql_using='gin',
                            postgresql_ops={column: 'gin_trgm_ops'})


def _trigrams_available(bind) -> bool:
    """pg_trgm is optional: without it search falls back to a sequential scan."""
    query = sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
    if bind.execute(query).scalar() is None:
        return False
    try:
        with bind.begin_nested():
            bind.execute(sa.text('CREATE EXTENSION IF NOT EXISTS pg_trgm'))
    except sa.exc.DBAPIError:  # not allowed to create it: no trigram indexes
        return False
    return True


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        for name in TRIGRAM_INDEXES:
            op.execute(f'DROP INDEX IF EXISTS {name}')
    with op.batch_alter_table('client', schema=None) as batch_op:
        batch_op.drop_column('search_name')
