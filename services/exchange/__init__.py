"""District exchange (上报与汇总): sealed submissions, the bureau's safe checking, consolidation.

A clerk seals one department-year into a submission file (`submission.submit`); the district
finance bureau receives many, from machines it does not control, opens each only through the
gate (`gate.open_submission`), and consolidates them into its district file
(`consolidate.consolidate`), whose 汇总 department-year is the cell-wise sum. `status` reports who
submitted what. The modules import SQLAlchemy, so import them where a command needs them.
"""
