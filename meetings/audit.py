"""The audit log: exports and the branch's reading of other people's evaluations."""

from django.db import models

from members.models import Member

from .models import AuditEvent


def record(*, actor: Member | None, action: str, target: models.Model, label: str = "", **detail) -> AuditEvent:
    """Log one event about `target` by `actor`; the branch is taken from the actor."""
    return AuditEvent.objects.create(
        actor=actor,
        branch_id=getattr(actor, "branch_id", None),
        action=action,
        target_type=target._meta.label_lower,
        target_id=target.pk,
        target_label=(label or str(target))[:200],
        detail=detail,
    )
