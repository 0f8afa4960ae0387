"""crm tasks: index of open tasks waiting for their reminder

Revision ID: 7c41e2d9a0b3
Revises: 339e9925e4f4
Create Date: 2026-11-28 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c41e2d9a0b3'
down_revision = '339e9925e4f4'
branch_labels = None
depends_on = None

OPEN_NOT_REMINDED = "done_at IS NULL AND reminded_at IS NULL"


def upgrade():
    with op.batch_alter_table('crm_task', schema=None) as batch_op:
        batch_op.create_index(
            'ix_crm_task_to_remind',
            ['due_at'],
            unique=False,
            postgresql_where=sa.text(OPEN_NOT_REMINDED),
            sqlite_where=sa.text(OPEN_NOT_REMINDED),
        )


def downgrade():
    with op.batch_alter_table('crm_task', schema=None) as batch_op:
        batch_op.drop_index('ix_crm_task_to_remind')
