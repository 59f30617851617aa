#!/usr/bin/env python3
"""Print Odoo's requirements.txt resolved for this interpreter.

Odoo 19 pins, for Python 3.11, versions that no longer build (``cbor2``
5.4.2 among them).  The pins it declares for Python 3.12 install and run on
3.11, so on 3.11 every environment marker is evaluated as if the interpreter
were 3.12.  Other versions keep their own pins.

Usage: odoo_requirements.py ODOO_REQUIREMENTS_TXT > resolved.txt
"""

import sys

from packaging.markers import Marker
from packaging.requirements import InvalidRequirement, Requirement

# Needed only by Odoo's optional auth_ldap addon, and it compiles against the
# OpenLDAP headers: leave it to those who use LDAP.
OPTIONAL = {"python-ldap"}


def marker_environment():
    env = {}
    if sys.version_info[:2] <= (3, 11):
        env = {"python_version": "3.12", "python_full_version": "3.12.0"}
    return env


def resolve(lines, env=None):
    """Yield the requirement strings of ``lines`` whose marker holds."""
    env = marker_environment() if env is None else env
    for raw in lines:
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        try:
            req = Requirement(line)
        except InvalidRequirement:
            print(f"skipped unparsable requirement: {line}", file=sys.stderr)
            continue
        if req.marker is not None and not Marker(str(req.marker)).evaluate(env):
            continue
        if req.name.lower() in OPTIONAL:
            continue
        req.marker = None
        yield str(req)


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as handle:
        for requirement in resolve(handle):
            print(requirement)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
