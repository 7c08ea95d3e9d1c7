"""Fault scenarios (`make chaos`): the platform's real processes, hurt on purpose.

Each scenario runs in a process of its own (`python -m chaos.scenario NAME`), since
each one points the platform at a broker, an API origin or a mail server of its own;
`python -m chaos` prepares the database and runs them one after another.
"""
