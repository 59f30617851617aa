from . import mail, policy
