"""The names the addon's models, controllers and wizards share, each said
once: the renewal groups, the renewal cases of the late-renewal policy
(SPEC §6) and the states the workflow acts on."""

from . import policy

USER_GROUP = "symantec_renewals.group_renewal_user"
MANAGER_GROUP = "symantec_renewals.group_renewal_manager"

# Where a renewal ordered on a given day stands (contract, quote).
RENEWAL_CASES = [
    (policy.ON_TIME, "On time"),
    (policy.LATE, "Late"),
    (policy.REINSTATEMENT, "Reinstatement"),
    (policy.LAPSED, "Lapsed"),
]

# Where a renewal opportunity stands, in the order of its lifecycle: the
# opportunity's status, and the stage of the renewal pipeline showing it.
RENEWAL_STATUSES = [
    ("upcoming", "Upcoming"),
    ("quoted", "Quoted"),
    ("late", "Late"),
    ("reinstatement", "Reinstatement"),
    ("won", "Won"),
    ("lapsed", "Lapsed"),
]

# Contracts the renewal run and the portal treat as open renewals.
RUN_STATES = ("active", "expiring", "expired")
# Renewal quotes still open: not confirmed, not cancelled.
OPEN_ORDER_STATES = ("draft", "sent")
