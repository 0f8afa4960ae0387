"""A premise's reference price: the price cuts are measured against (the last price approved
by the head of sales or set by management by hand or by import); existing premises start from
their current price

Revision ID: c5e1a7d93b20
Revises: 3292a432f7b1
Create Date: 2026-12-07 16:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import models.db.base


# revision identifiers, used by Alembic.
revision = 'c5e1a7d93b20'
down_revision = '3292a432f7b1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('premise', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reference_price', models.db.base.Money(precision=14, scale=2), nullable=True))
        batch_op.add_column(sa.Column('reference_source', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('reference_set_at', models.db.base.UTCDateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE premise SET reference_price = price, reference_source = 'migration', "
        "reference_set_at = CURRENT_TIMESTAMP"
    )
    with op.batch_alter_table('premise', schema=None) as batch_op:
        batch_op.alter_column('reference_price', existing_type=models.db.base.Money(precision=14, scale=2), nullable=False)
        batch_op.alter_column('reference_source', existing_type=sa.String(length=20), nullable=False)
        batch_op.alter_column('reference_set_at', existing_type=models.db.base.UTCDateTime(timezone=True), nullable=False)


def downgrade():
    with op.batch_alter_table('premise', schema=None) as batch_op:
        batch_op.drop_column('reference_set_at')
        batch_op.drop_column('reference_source')
        batch_op.drop_column('reference_price')
