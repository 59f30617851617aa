"""Who may change what (SPEC §10): workflow fields change only through the
addon's actions, which write them as the workflow (``sudo()``, the acting
user staying the author); renewal managers may still set them, e.g. when
importing the installed base."""

from odoo.exceptions import AccessError

MANAGER_GROUP = "symantec_renewals.group_renewal_manager"


def is_privileged(env):
    """The workflow itself (superuser mode) or a renewal manager."""
    return env.su or env.user.has_group(MANAGER_GROUP)


def create_field_names(model, vals_list):
    """The fields a ``create`` sets: given values and ``default_*`` keys of
    the context (a client can send both)."""
    names = set().union(*vals_list) if vals_list else set()
    context = model.env.context
    names.update(
        key[8:]
        for key in context
        if isinstance(key, str)
        and key.startswith("default_")
        and key[8:] in model._fields
    )
    return names


def check_workflow_fields(model, field_names, workflow_fields):
    """Refuse, for anyone but the workflow and renewal managers, to set any
    of ``workflow_fields`` directly."""
    env = model.env
    touched = sorted(set(field_names) & workflow_fields)
    if not touched or is_privileged(env):
        return
    raise AccessError(
        env._(
            "%(fields)s of %(model)s cannot be changed directly: they change "
            "only through the record's actions (or by a renewal manager).",
            fields=", ".join(
                model._fields[name]._description_string(env) for name in touched
            ),
            model=model._description,
        )
    )
