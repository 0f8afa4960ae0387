"""Sent outbox messages keep no error of an earlier attempt (it no longer describes them)

Revision ID: b7e5c1d2a9f4
Revises: 34293ef9bd11
Create Date: 2026-12-07 16:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b7e5c1d2a9f4'
down_revision = '34293ef9bd11'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("UPDATE outbound_message SET last_error = NULL WHERE status = 'sent'")


def downgrade():
    pass  # the stale texts are gone; nothing showed them for sent messages anyway
