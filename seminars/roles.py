"""Who may do what. Organisers are staff in this group, never superusers.

The group and its permissions are created by migration 0002_organisers_group.
"""

ORGANISERS_GROUP = "Organisers"
