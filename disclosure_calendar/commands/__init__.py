"""The command line's commands, one module per family; ``cli.py`` registers them on its group.

Each family module exposes its click commands (and groups) as ``COMMANDS``; shared option
definitions are in ``options``, the Context, Command and Group classes in ``base``. A new
command goes into the module of its family, or a new family module listed here. Command
bodies import what they use inside the function, so that ``validate`` loads no renderer.
"""

FAMILIES = (
    "schedule", "workdays", "build", "agenda", "report", "reminders", "access", "ledger", "plan",
)  # fmt: skip
