"""Demo data: a small hierarchy of agencies, one per installed policy pack, with accounts for
every role, devices, and cases in the states an agency meets (compliant, missing a record,
unsigned, overdue, archived...). Everything is made through the actions, so the ledger holds
it as it would hold real work. Used by ``quancheng demo``; see ``docs/demo.md``.
"""
