"""Who may change what (SPEC §10): workflow fields change only through the
addon's actions, which write them as the workflow (``sudo()``, the acting
user staying the author); renewal managers may still set them, e.g. when
importing the installed base."""

from odoo.exceptions import AccessError

from .constants import MANAGER_GROUP


def is_privileged(env):
    """The workflow itself (superuser mode) or a renewal manager."""
    return env.su or env.user.has_group(MANAGER_GROUP)


def _same(record, name, value):
    field = record._fields[name]
    return (
        field.convert_to_record(field.convert_to_cache(value, record), record)
        == record[name]
    )


def create_field_names(model, vals_list):
    """The fields a ``create`` sets to something else than their default:
    given values and ``default_*`` keys of the context (a client can send
    both; the web client sends a new record's defaults back as values)."""
    if is_privileged(model.env):
        return set()  # nothing to check: skip reading defaults
    context = model.env.context
    # The context without its defaults (replaced, not merged into).
    clean = model.with_env(
        model.env(
            context={
                key: value
                for key, value in context.items()
                if not (isinstance(key, str) and key.startswith("default_"))
            }
        )
    )
    given = [
        (name, value)
        for vals in vals_list
        for name, value in vals.items()
        if name in model._fields
    ]
    given += [
        (key[8:], value)
        for key, value in context.items()
        if isinstance(key, str)
        and key.startswith("default_")
        and key[8:] in model._fields
    ]
    names = {name for name, _value in given}
    defaults = clean.default_get(list(names)) if names else {}
    blank = clean.new(defaults)
    return {name for name, value in given if not _same(blank, name, value)}


def changed_field_names(records, vals):
    """The fields of ``vals`` whose value differs on one of ``records`` (the
    web client sends unchanged values of some readonly fields back)."""
    if not vals or is_privileged(records.env):
        return set()
    return {
        name
        for name, value in vals.items()
        if name in records._fields
        and any(not _same(record, name, value) for record in records)
    }


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


def check_workflow_create(model, vals_list, workflow_fields):
    """``check_workflow_fields`` for a ``create`` of ``vals_list``."""
    check_workflow_fields(model, create_field_names(model, vals_list), workflow_fields)


def check_workflow_write(records, vals, workflow_fields):
    """``check_workflow_fields`` for a ``write`` of ``vals``: only the
    workflow fields whose value changes count."""
    check_workflow_fields(
        records,
        changed_field_names(
            records, {name: vals[name] for name in vals.keys() & workflow_fields}
        ),
        workflow_fields,
    )
