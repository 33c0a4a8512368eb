"""`python -m tui` runs the same entry point as the `tasktop` console script."""

from tui.commands.main import main

raise SystemExit(main())
