"""inbox order indexes: open tasks by due time (nulls last), escalated tasks by role

Revision ID: a9d3c0e1f2b4
Revises: fcb873dc392d
Create Date: 2026-11-27 15:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "a9d3c0e1f2b4"
down_revision = "fcb873dc392d"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_human_task_open_due",
        "human_task",
        ["status", sa.text("(due_at IS NULL)"), "due_at", "id"],
    )
    op.create_index(
        "ix_human_task_open_escalated", "human_task", ["status", "escalation_role", "escalated_at"]
    )


def downgrade():
    op.drop_index("ix_human_task_open_escalated", table_name="human_task")
    op.drop_index("ix_human_task_open_due", table_name="human_task")
